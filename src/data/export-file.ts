// `alignc data --export FILE`: where the examples may be written. alignc overwrites only a file it
// wrote itself and that is unchanged since (a hidden sidecar `.FILE.alignc` beside it records the
// SHA-256 of what was written), or any existing file with --force, but never the recipe, its base,
// or a file or folder the recipe reads, and never a folder. The write is atomic: a temp sibling
// renamed over the target, removed on any failure; the sidecar owns the new content before the file
// is replaced, so an interrupted export never turns alignc's file into one it refuses.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import type { CheckedRecipe, IRValue } from "../check/ir.js";
import { writeFileAtomicSync, writePiecesAtomicSync } from "../common/atomic-write.js";
import { hashRegularFile } from "../lang/read-file.js";
import { fsError } from "../common/fs-error.js";
import { lexists, realPathOrNearest, streamPath } from "../common/fs-probe.js";

export class DataExportError extends Error {}

const SIDECAR_FORMAT = "alignc-data-export/1";
export const sidecarOf = (file: string) => join(dirname(file), `.${basename(file)}.alignc`);

/** Every path the recipe reads: the recipe, its base, and every path in a block's arguments and properties
 * (data files, folders, chat templates), resolved the way the checker resolved them. */
export function recipeInputs(recipe: CheckedRecipe, sources: Iterable<string>): string[] {
  const out = new Set<string>([recipe.file, ...(recipe.extendsFile ? [recipe.extendsFile] : []), ...[...sources].map((s) => resolve(s))]);
  // paths are resolved to absolute ones by the checker; an absolute string that is not a path
  // only widens what is refused
  const walk = (v: IRValue | undefined): void => {
    if (typeof v === "string" && isAbsolute(v)) out.add(v);
    if (v === null || v === undefined || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(walk);
    for (const x of Object.values(v)) walk(x as IRValue);
  };
  // the recipe's blocks, not a plan: candidate sources and label files have no plan node, and every
  // variant's paths are refused alike (refusing more paths is the safe side); no value is read here
  for (const b of recipe.blocks) {
    b.args.forEach(walk);
    walk(b.props);
  }
  return [...out];
}


/** Why `path` is one of the recipe's inputs (a file it reads, or a folder it reads or one inside it), or undefined: alignc writes no output there, --force or not. */
export function inputClash(path: string, inputs: readonly string[]): string | undefined {
  const target = realPathOrNearest(path);
  for (const input of inputs) {
    const r = realPathOrNearest(input);
    const folder = existsSync(r) && statSync(r).isDirectory();
    if (target === r) return `${path} is a ${folder ? "folder" : "file"} this recipe reads (${input}); alignc never overwrites its own inputs`;
    if (folder && target.startsWith(r + sep)) return `${path} is inside ${input}, a folder this recipe reads; choose a path outside it`;
  }
  return undefined;
}

/** Why `file` must not be written, or undefined. Checked before any example is built and again
 * just before writing. */
export function exportRefusal(file: string, inputs: readonly string[], force: boolean): string | undefined {
  const odd = notAFileName(file);
  if (odd) return odd;
  const clash = inputClash(file, inputs);
  if (clash) return clash;
  // the sidecar is written beside the export: a file of that name that is not alignc's sidecar is
  // the user's, and --force (which is about FILE) does not let alignc overwrite it
  const side = sidecarOf(file);
  if (lexists(side) && !isSidecar(side)) return `${side} exists and is not an alignc data --export record; alignc would overwrite it (move it, or choose another file name)`;
  if (!existsSync(file)) {
    // existsSync follows links: a dangling link or a link loop is still the user's entry, which
    // the export renamed over without --force
    if (lexists(file)) return force ? undefined : `${file} is a symbolic link to nothing (or a link loop), not written by alignc data --export; pass --force to replace the link, or choose a new file`;
    if (!existsSync(dirname(resolve(file)))) return `the folder of ${file} does not exist`;
    return undefined;
  }
  const st = lstatSync(file);
  if (st.isDirectory() || statSync(file).isDirectory()) return `${file} is a folder; --export takes a file name (e.g. ${join(file, "examples.jsonl")})`;
  if (!statSync(file).isFile()) return `${file} is not a regular file`;
  // alignc writes a regular file: a link there is the user's, whatever it points to (the content it
  // reaches may be a copy of an export, which hashed as alignc's and the link was replaced)
  if (st.isSymbolicLink()) return force ? undefined : `${file} is a symbolic link, not written by alignc data --export; pass --force to replace the link (its target is left as it is), or choose a new file`;
  if (ownedExport(file) || force) return undefined;
  return `${file} exists and was not written by alignc data --export (or was changed since); pass --force to replace it, or choose a new file`;
}


/** Why the --export argument as typed names no file: `-` (a file named `-` was written) or a name
 * ending in a slash (a folder's: `x.jsonl/` wrote the file x.jsonl). Before the path is resolved. */
export function exportNameProblem(typed: string): string | undefined {
  if (typed === "-") return "- is no file name: alignc data --export writes a file, not standard output (without --export the examples' preview is printed)";
  if (/[/\\]$/.test(typed)) return `${typed} ends in a slash, a folder's name; --export takes a file name (e.g. ${join(typed, "examples.jsonl")})`;
  return undefined;
}

/** Why `file` names no file --export may write, --force or not: a stream or descriptor, by any spelling or
 * through links (`/dev/stdout` redirected to a file was renamed over as root, the machine's link replaced by
 * a regular file; hunt38), or a place in /proc or /sys. /dev/shm, a folder of ordinary files, is allowed
 * (review38 M6: all of /dev was refused). */
function notAFileName(file: string): string | undefined {
  const stream = streamPath(file);
  if (stream !== null) return `${file} is ${stream === resolve(file) ? "" : `a link to ${stream}, `}a stream or descriptor of this process; alignc data --export writes a regular file: name one`;
  const where = realPathOrNearest(dirname(resolve(file)));
  if (/^\/(proc|sys)(\/|$)/.test(where)) return `${file} is in ${where}, a system folder; alignc data --export writes a regular file: name one`;
  return undefined;
}

/** The sidecar's record, when `side` is a regular file holding one (a link or anything else: none).
 * `sha256` is the content alignc wrote; `pending`, the content it is writing (see writeDataExport). */
function sidecarRecord(side: string): SidecarRecord | undefined {
  try {
    if (!lstatSync(side).isFile()) return undefined;
    const s = JSON.parse(readFileSync(side, "utf8")) as { format?: unknown; sha256?: unknown; pending?: unknown };
    if (s === null || typeof s !== "object" || s.format !== SIDECAR_FORMAT) return undefined;
    const hash = (h: unknown) => (typeof h === "string" ? h : undefined);
    return { format: SIDECAR_FORMAT, sha256: hash(s.sha256), pending: hash(s.pending) };
  } catch {
    return undefined;
  }
}

interface SidecarRecord {
  format: typeof SIDECAR_FORMAT;
  sha256?: string | undefined;
  pending?: string | undefined;
}

const isSidecar = (side: string): boolean => sidecarRecord(side) !== undefined;

/** The hash of `file` when its content is one the sidecar says alignc wrote (or was writing), else undefined. */
function ownedHash(file: string): string | undefined {
  const record = sidecarRecord(sidecarOf(file));
  if (!record) return undefined;
  const h = hashRegularFile(file, "data export"); // in chunks: an export may be larger than one Buffer
  return h === record.sha256 || h === record.pending ? h : undefined;
}

const ownedExport = (file: string): boolean => ownedHash(file) !== undefined;

const sidecarText = (r: Omit<SidecarRecord, "format">) => JSON.stringify({ format: SIDECAR_FORMAT, ...r }) + "\n";

/**
 * Write `content` (one string, or its pieces in order: the rows of a large export, never joined into
 * one string, which V8 caps at ~512 Mi characters) to `file` atomically, with its ownership sidecar;
 * refuses as exportRefusal says. The content streams into a temp file, hashed as it goes; then the
 * sidecar is written, owning both the file's current content (when it is alignc's) and the new one,
 * then the temp file replaces the file, then the sidecar owns the new content alone: a process killed
 * at any moment leaves a file that the next export still recognises as its own (written the other way
 * round, a kill between the two renames left alignc's own export refused as the user's until --force).
 */
export function writeDataExport(file: string, content: string | Iterable<string>, inputs: readonly string[], force: boolean): void {
  const why = exportRefusal(file, inputs, force);
  if (why) throw new DataExportError(why);
  const side = sidecarOf(file);
  const before = lexists(side) ? readFileSync(side) : undefined; // exportRefusal made sure it is a sidecar
  const owned = existsSync(file) ? ownedHash(file) : undefined;
  const hash = createHash("sha256");
  function* hashed(): Generator<string> {
    for (const piece of typeof content === "string" ? [content] : content) {
      hash.update(piece, "utf8");
      yield piece;
    }
  }
  let fresh = "";
  let sidecarWritten = false; // a refusal before it leaves the sidecar path as it is (it may be the user's file the refusal names)
  try {
    writePiecesAtomicSync(file, hashed(), {
      beforeRename: () => {
        // the rows took a while to write: a file that became the user's meanwhile (edited, or made
        // where there was none) is refused now, as it would have been at the start
        const changed = exportRefusal(file, inputs, force);
        if (changed) throw new DataExportError(`${changed} (it changed while the export was written; nothing replaced)`);
        fresh = hash.digest("hex");
        writeFileAtomicSync(side, sidecarText({ sha256: owned, pending: fresh }));
        sidecarWritten = true;
      },
    });
  } catch (err) {
    // a full or read-only disk, a folder not ours to write: the temp files are already removed; the
    // sidecar goes back to what it was (if that fails too, the one written still owns the file as it is)
    try {
      if (sidecarWritten && before) writeFileAtomicSync(side, before);
      else if (sidecarWritten) rmSync(side, { force: true });
    } catch {
      // see above
    }
    const e = fsError(err);
    if (e) throw new DataExportError(`cannot write ${file}: ${e.message}`);
    throw err;
  }
  try {
    writeFileAtomicSync(side, sidecarText({ sha256: fresh }));
  } catch {
    // the sidecar written before still owns the new content: nothing to undo
  }
}
