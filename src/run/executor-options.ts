// What the executor is given (its options), the exit codes a run ends with, and the error of a plan
// that cannot run as asked (an unknown --force/--until node, a node no handler executes).
import type { IRCondition } from "../check/ir.js";
import type { Plan } from "../plan/types.js";
import type { HandlerTable } from "./handler.js";
import type { Progress } from "./presentation/progress.js";
import type { StageCache } from "./storage/cache.js";
import type { PlannedFiles } from "./storage/planned-files.js";

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

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}
