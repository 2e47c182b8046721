// Content identities of data blocks: the labels every random choice of the data layer is seeded with.
//
// Why: the plan's hashes are invariant under renaming a block (a reference hashes through the
// referenced node's content, a file through its sha256), and the run cache reuses a stage whose hash
// is unchanged. If a seed were keyed by a block's *name*, renaming a task would change its examples
// while its hash stayed the same, and the cache would reuse a stage that a fresh run would not
// reproduce. So no seed may depend on a name: a block's identity is the sha256 of the canonical JSON
// of what it is — keyword, kind, role, constructor arguments and properties — where
//   - a reference { $ref, member } becomes { $id: identity of the referenced block, member },
//   - a path (an absolute string argument of a call or of the constructor that names a file or
//     folder) becomes { $sha256 } of the file's bytes, or { $dir: [[relative path, sha256], …] },
//   - mixture components (a set keyed by block names) become [identity, options] pairs sorted by
//     identity, `heldout_tasks` the sorted identities it lists,
//   - parameters the plan does not hash (NOT_HASHED: description, logging) are left out,
// plus, for `flan_templates`, the FLAN task name it reads, which defaults to the block name: that
// name is a lookup key (it changes what is read, and the plan hashes it too), not a seed.
// Anything the plan hashes may enter an identity; nothing it does not hash may.
import { statSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import { canonicalJson, sha256Hex } from "../plan/canonical.js";
import { NOT_HASHED } from "../plan/hash.js";
import { findBlock, isCall, isRef } from "./ir.js";
import { CODES, fail } from "./diag.js";
import { InputFileError, hashRegularFile } from "../lang/read-file.js";
import { folderDigests } from "../common/folder-hash.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** How paths enter an identity: by content (seeds) or by the path string (cheap orderings that only
 * need to be rename-invariant, such as which mixture components a size estimate samples). */
export type PathMode = "content" | "path";

interface Memo {
  blocks: Map<string, string>;
  files: Map<string, Json>;
}
const memos = new WeakMap<CheckedRecipe, Record<PathMode, Memo>>();

function memoFor(recipe: CheckedRecipe, mode: PathMode): Memo {
  let m = memos.get(recipe);
  if (!m) memos.set(recipe, (m = { content: { blocks: new Map(), files: new Map() }, path: { blocks: new Map(), files: new Map() } }));
  return m[mode];
}

/** A path's content: a file's sha256, a folder's sorted (relative path, sha256) list; null when absent. */
function pathContent(path: string): Json {
  let st;
  try {
    st = statSync(path);
  } catch {
    return null;
  }
  if (st.isFile()) return { $sha256: hashRegularFile(path) };
  if (!st.isDirectory()) return null;
  try {
    return { $dir: folderDigests(path, { dotFiles: true }) };
  } catch (err) {
    if (err instanceof InputFileError) fail(CODES.fileMissing, err.message, path);
    throw err;
  }
}

function pathArg(recipe: CheckedRecipe, mode: PathMode, s: string): Json {
  if (!isAbsolute(s)) return s; // not resolved by the checker: a plain string argument
  const memo = memoFor(recipe, mode);
  let v = memo.files.get(s);
  if (v === undefined) {
    const content = mode === "content" ? pathContent(s) : null;
    // a string that names nothing on disk stays a string (relative to the recipe folder, so moving a
    // recipe with its data keeps its identities)
    v = content ?? { $path: relative(recipe.dir, s) };
    memo.files.set(s, v);
  }
  return v;
}

function valueJson(recipe: CheckedRecipe, mode: PathMode, v: IRValue | undefined): Json {
  if (v === undefined || v === null || typeof v !== "object") return v ?? null;
  if (Array.isArray(v)) return v.map((x) => valueJson(recipe, mode, x));
  if (isRef(v)) return { $id: blockIdentity(recipe, v.$ref, mode), ...(v.member !== undefined ? { member: v.member } : {}) };
  if (isCall(v)) return { $call: v.$call, args: v.args.map((a) => (typeof a === "string" ? pathArg(recipe, mode, a) : valueJson(recipe, mode, a))) };
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) out[k] = valueJson(recipe, mode, x as IRValue);
  return out;
}

/** The identity of any IR value (a data property, a reader call): refs and paths as above. */
export function valueIdentity(recipe: CheckedRecipe, v: IRValue | undefined, mode: PathMode = "content"): string {
  return sha256Hex(canonicalJson(valueJson(recipe, mode, v)));
}

function blockJson(recipe: CheckedRecipe, b: CheckedBlock, mode: PathMode): Json {
  const props: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(b.props)) {
    if (NOT_HASHED.has(k)) continue;
    if (b.keyword === "mixture" && k === "components" && v && typeof v === "object" && !Array.isArray(v)) {
      props[k] = Object.entries(v)
        .map(([name, opts]) => [blockIdentity(recipe, name, mode), valueJson(recipe, mode, opts as IRValue)] as [string, Json])
        .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : canonicalJson(x[1]) < canonicalJson(y[1]) ? -1 : 1));
    } else if (b.keyword === "mixture" && k === "heldout_tasks" && Array.isArray(v)) {
      props[k] = v.map((x) => (isRef(x) ? blockIdentity(recipe, x.$ref, mode) : typeof x === "string" ? blockIdentity(recipe, x, mode) : valueJson(recipe, mode, x))).sort();
    } else props[k] = valueJson(recipe, mode, v);
  }
  const t = b.props.templates;
  if (isCall(t) && t.$call === "flan_templates") props.$flan_task = typeof t.args[1] === "string" ? t.args[1] : b.name;
  return {
    keyword: b.keyword,
    kind: b.kind,
    role: b.role,
    args: b.args.map((a) => (typeof a === "string" ? pathArg(recipe, mode, a) : valueJson(recipe, mode, a))),
    props,
  };
}

/**
 * The content identity of a block (hex sha256), memoised per recipe object. Equal for two recipes
 * that differ only in block names; different when anything the block computes from differs.
 */
export function blockIdentity(recipe: CheckedRecipe, name: string, mode: PathMode = "content"): string {
  const memo = memoFor(recipe, mode);
  let id = memo.blocks.get(name);
  if (id === undefined) {
    id = sha256Hex(canonicalJson(blockJson(recipe, findBlock(recipe, name), mode)));
    memo.blocks.set(name, id);
  }
  return id;
}

/** Names ordered by their blocks' identities (ties, i.e. blocks of equal content, by name). */
export function byIdentity(recipe: CheckedRecipe, names: readonly string[], mode: PathMode = "content"): string[] {
  return names
    .map((n) => [blockIdentity(recipe, n, mode), n] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([, n]) => n);
}
