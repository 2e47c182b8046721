// What the executor is given (its options), the exit codes a run ends with, and the error of a plan
// that cannot run as asked (an unknown --force/--until node, a node no handler executes).
import type { IRCondition } from "../check/ir.js";
import type { Plan } from "../plan/types.js";
import type { HandlerTable } from "./handler.js";
import type { Progress } from "./presentation/progress.js";
import type { StageCache } from "./storage/cache.js";
import type { PlannedFiles } from "./storage/planned-files.js";
import { nearest } from "../common/did-you-mean.js";

export const EXIT = { ok: 0, failed: 1, usage: 2, expectations: 3, interrupted: 130 } as const;

export interface ExecutorOptions {
  plan: Plan;
  expects: readonly IRCondition[];
  handlers: HandlerTable;
  cache: StageCache;
  progress: Progress;
  /** exitCode: what an interrupted run exits with (default 130; 129 for SIGHUP: storage/interrupt.ts) */
  interrupt: { readonly requested: boolean; readonly exitCode?: number };
  backend: string;
  selectedBackend?: () => string | null; // the backend selected so far (null: none loaded), recorded with each entry
  tiny: boolean;
  force?: readonly string[];
  until?: string | null;
  /** the files the plan hashed, checked where the run reads them (storage/planned-files.ts) */
  plannedFiles?: PlannedFiles;
}

/** A node's compute stopped by an interrupt at `step`: thrown out of the cache's put, so nothing is stored. */
export class Interrupted extends Error {
  constructor(readonly step: number) {
    super(`interrupted at step ${step}`);
  }
}

export class PlanError extends Error {
  /** usage: the command line named what does not exist (exit 2); else what was found stops the run (exit 1) */
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
    this.name = "PlanError";
  }
}

/** ` (did you mean x?)` for a mistyped node id, else "". */
function suggestNode(name: string, ids: string[]): string {
  const near = nearest(name, ids);
  return near === null ? "" : ` (did you mean ${near}?)`;
}

/** The plan's node ids, once `--force` and `--until` are known to name nodes of it (else a PlanError that suggests one). */
/** A --force that would recompute nothing is the command line's mistake, said before anything runs (it
 * was ignored without a word: exit 0, nothing recomputed; hunt36): a node built in memory by every run,
 * or one `--until` leaves out. */
export function checkForced(force: ReadonlySet<string>, wanted: ReadonlySet<string>, until: string | null | undefined, inMemory: (id: string) => boolean): void {
  for (const f of force) {
    if (inMemory(f)) throw new PlanError(`--force ${f}: ${f} is built in memory by every run, never cached: there is nothing to force (force the stage or eval that reads it)`, true);
    if (!wanted.has(f)) throw new PlanError(`--force ${f}: it does not run with --until ${until} (it is not one of the nodes ${until} needs)`, true);
  }
}

export function checkNodeNames(o: Pick<ExecutorOptions, "plan" | "force" | "until">): string[] {
  const ids = o.plan.nodes.map((n) => n.id);
  const known = new Set(ids);
  for (const f of o.force ?? []) if (!known.has(f)) throw new PlanError(`--force ${f}: no such node${suggestNode(f, ids)}; nodes: ${ids.join(", ")}`, true);
  if (o.until && !known.has(o.until)) throw new PlanError(`--until ${o.until}: no such node${suggestNode(o.until, ids)}; nodes: ${ids.join(", ")}`, true);
  return ids;
}
