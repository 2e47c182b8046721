// Reading a saved plan.json (`alignc plan --json > p.json`, a run directory's plan.json): parsed and
// validated against the published schema (`alignc schema plan`), so every later reader can trust its
// shape. Used by `alignc diff` and `alignc run PLAN`.
import { createRequire } from "node:module";
import type { Ajv } from "ajv";
import { InputFileError, READ_LIMITS, readRegularText } from "../lang/read-file.js";
import { PLAN_SCHEMA } from "./schema.js";
import type { Plan } from "./types.js";

/** A file that is not a readable, valid plan; the message names the file and what is wrong. */
export class PlanFileError extends Error {
  override name = "PlanFileError";
}

let validator: ReturnType<Ajv["compile"]> | undefined;

export function readPlanFile(path: string): Plan {
  let plan: unknown;
  let text: string;
  try {
    // a regular file only: a FIFO or /dev/zero named as a plan would be read forever
    text = readRegularText(path, READ_LIMITS.wholeData, "plan");
  } catch (err) {
    if (err instanceof InputFileError) throw new PlanFileError(err.message);
    throw err;
  }
  try {
    plan = JSON.parse(text);
  } catch (err) {
    throw new PlanFileError(`${path}: ${(err as Error).message}`);
  }
  // ajv (~100 modules) is loaded when a plan file is read, not by `alignc diff` of two recipes
  validator ??= new (createRequire(import.meta.url)("ajv") as typeof import("ajv")).Ajv({ allErrors: true, strict: false }).compile(PLAN_SCHEMA);
  if (!validator(plan)) throw new PlanFileError(`${path}: not a plan (${validator.errors!.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ")})`);
  return plan as Plan;
}
