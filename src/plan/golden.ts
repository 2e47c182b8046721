// Golden plans: `recipes/NAME.align` ↔ `recipes/NAME.plan.json`. A golden holds only what is the
// same on every machine: paths are relative to the recipe (already so in every plan), and the
// machine-dependent estimates (time_s, backend) are stripped. npm test recompiles each example
// recipe and compares; `alignc test` (src/run) uses the same functions.
import { rewriteKeepingIdentity, rewriteRefusal } from "../common/in-place-write.js";
import { lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputFileError, READ_LIMITS, readRegularText } from "../lang/read-file.js";
import { writeFileAtomicSync } from "../common/atomic-write.js";
import { canonicalJson, sortKeysDeep } from "./canonical.js";
import { diffPlans, type PlanDiff } from "./diff.js";
import type { Plan } from "./types.js";

/** The estimate fields that depend on the machine (left out of goldens). */
export const MACHINE_ESTIMATES = ["time_s", "backend"] as const;

export function goldenPath(recipePath: string): string {
  return recipePath.replace(/\.align$/, "") + ".plan.json";
}

/** The machine-independent form of a plan, keys sorted: what a golden file holds. */
export function goldenPlan(plan: Plan): Plan {
  const nodes = plan.nodes.map((n) => {
    const estimates = { ...n.estimates };
    for (const k of MACHINE_ESTIMATES) delete estimates[k];
    return { ...n, estimates };
  });
  return sortKeysDeep({ ...plan, nodes });
}

/** The text of a golden file: sorted keys, two-space indent, final newline. */
export function goldenText(plan: Plan): string {
  return JSON.stringify(goldenPlan(plan), null, 2) + "\n";
}

/** Writes a golden atomically (temp file + rename). A file already at NAME.plan.json is replaced only
 * when it is a golden alignc wrote (a plan saved there with `alignc plan --json` is the user's): `--update` once
 * replaced whatever had that name (a user's notes, a FIFO, a folder's link), which alignc did not create. */
export function writeGolden(recipePath: string, plan: Plan): string {
  const path = goldenPath(recipePath);
  // a golden kept behind a symlink (a shared folder) is written where it points, as fmt writes a linked
  // recipe: replacing the link by a file left the shared golden stale
  const dest = destinationOf(path);
  if (lexists(dest)) {
    let old: Plan;
    try {
      old = readGolden(recipePath);
    } catch (err) {
      if (!(err instanceof GoldenError)) throw err;
      throw new GoldenError(`${err.message}: not overwritten (alignc replaces only a plan it wrote); move it away and run \`alignc test --update\` again`);
    }
    if (typeof (old as { engine?: { alignc?: unknown } }).engine?.alignc !== "string")
      throw new GoldenError(`${path} is not a plan alignc wrote (no \`engine.alignc\`): not overwritten; move it away and run \`alignc test --update\` again`);
    // a link to another recipe's golden (a shared folder's `q.plan.json` under this recipe's name) is that
    // recipe's: it was overwritten with this one's plan (hunt36). A golden beside its recipe is the
    // recipe's own, renamed header or not (review36).
    const oldName = (old as { recipe?: { name?: unknown } }).recipe?.name;
    // a hard link is another name of one file as a symlink is (hunt38: it was rewritten in place under the other recipe's name)
    const linked = dest !== path || statSync(dest).nlink > 1;
    if (linked && typeof oldName === "string" && oldName !== plan.recipe.name)
      // a hard link cannot say where its other names are: a backup and another recipe's golden look alike (review38 L2)
      throw new GoldenError(`${path}${dest !== path ? ` (a link to ${dest})` : " (a file with other hard links)"} is the golden plan of recipe \`${oldName}\`, not of \`${plan.recipe.name}\`: not overwritten; if this recipe's header was renamed, move it away and run \`alignc test --update\` again`);
    // a plan saved with `alignc plan --json > NAME.plan.json` holds this machine's estimates, which a golden
    // never does: the user's snapshot (to run again with `alignc run PLAN.json`), not replaced (hunt38)
    if (old.nodes.some((n) => MACHINE_ESTIMATES.some((k) => n.estimates?.[k] !== undefined)))
      throw new GoldenError(`${path} is a plan saved with \`alignc plan --json\` (it holds this machine's estimates), not a golden: not overwritten; move it away and run \`alignc test --update\` again`);
    // a golden the user made read-only, or that has other hard links, is theirs as a recipe is to fmt:
    // refused, or rewritten in place (a rename replaced the read-only file and split the links)
    const refusal = rewriteRefusal(dest);
    if (refusal) throw new GoldenError(`${path} ${refusal}: not overwritten`);
    rewriteKeepingIdentity(dest, goldenText(plan));
    return path;
  }
  writeFileAtomicSync(dest, goldenText(plan));
  return path;
}

export interface GoldenComparison {
  equal: boolean;
  /** Node-level differences (hashes, params); empty when only estimates differ. */
  diff: PlanDiff;
  /** Node ids whose estimates differ from the golden's by more than ESTIMATE_TOLERANCE (or in shape). */
  estimates: string[];
}

/**
 * How far a cost estimate may move before its golden must be rewritten: structure, parameters and
 * hashes are compared exactly, estimates (tokens, FLOPs, memory, sizes counted on a sample) within
 * this relative tolerance, so tuning an estimate formula by a few percent does not regenerate every
 * golden, while a wrong order of magnitude still fails.
 */
export const ESTIMATE_TOLERANCE = 0.1;

function estimatesClose(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || Math.abs(a - b) <= ESTIMATE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.join() === kb.join() && ka.every((k) => estimatesClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Compares a freshly compiled plan with a golden (parsed JSON or file text). */
export function compareGolden(plan: Plan, golden: Plan | string): GoldenComparison {
  const want = goldenPlan(typeof golden === "string" ? (JSON.parse(golden) as Plan) : golden);
  const got = goldenPlan(plan);
  const diff = diffPlans(want, got, { a: "golden", b: "compiled" });
  const wantEst = new Map(want.nodes.map((n) => [n.id, n.estimates]));
  const estimates = got.nodes.filter((n) => wantEst.has(n.id) && !estimatesClose(wantEst.get(n.id), n.estimates)).map((n) => n.id);
  const structure = (p: Plan) => canonicalJson({ ...p, nodes: p.nodes.map((n) => ({ ...n, estimates: {} })) });
  return { equal: structure(got) === structure(want) && estimates.length === 0, diff, estimates };
}

/** A golden plan file that cannot be read as a plan: not a regular file, not JSON, or not a plan's shape. */
export class GoldenError extends Error {}

export function readGolden(recipePath: string): Plan {
  const path = goldenPath(recipePath);
  // readRegularText: a FIFO named NAME.plan.json blocked `alignc test` in a read that not even
  // SIGTERM could stop; damaged JSON or `null` were an internal error (exit 70)
  let v: unknown;
  try {
    v = JSON.parse(readRegularText(path, READ_LIMITS.wholeData, "golden plan"));
  } catch (err) {
    if (err instanceof InputFileError) throw new GoldenError(err.message);
    throw new GoldenError(`golden plan ${path} is not valid JSON (${(err as Error).message})`);
  }
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);
  if (!isObj(v) || !Array.isArray(v["nodes"]) || !v["nodes"].every((n) => isObj(n) && typeof n["id"] === "string"))
    throw new GoldenError(`golden plan ${path} is not a plan (no \`nodes\` list of nodes with an id)`);
  return v as unknown as Plan;
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The file a write of `path` lands in: `path`, or where a symlink there points (also a link to a file not
 * written yet). */
function destinationOf(path: string): string {
  try {
    if (!lstatSync(path).isSymbolicLink()) return path;
  } catch {
    return path; // nothing there yet
  }
  try {
    return realpathSync(path);
  } catch {
    return resolve(dirname(path), readlinkSync(path)); // dangling: the file it names
  }
}
