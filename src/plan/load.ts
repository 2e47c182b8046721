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

/**
 * `file:line:col: message` for a JSON.parse error in `text`. The engine gives an offset ("in JSON at
 * position 300"; Node 22 adds "(line 9 column 3)"), which says nothing to someone opening a 40 KB plan
 * in an editor, or none at all ("Unexpected token 'x', …" quotes an excerpt instead). A file that
 * simply ends (truncated: "Unexpected end of JSON input") is shown just after its last character.
 */
export function jsonErrorAt(path: string, text: string, message: string): string {
  // an error in the trailing whitespace is the file's end: shown after its last character, not on a blank line
  const offset = Math.min(errorOffset(text, message), text.trimEnd().length);
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const line = text.slice(0, lineStart).split("\n").length;
  const said = message.replace(/ at position \d+/, "").replace(/ \(line \d+ column \d+\)/, "");
  return `${path}:${line}:${offset - lineStart + 1}: ${said}`;
}

const positionOf = (message: string): number | undefined => {
  const m = / at position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
};

/** The offset a JSON.parse error of `text` is at. Without one in the message: the shortest prefix of
 * the text that fails for a reason other than its end is the one that ends with the bad character
 * (the parser reads left to right, so every longer prefix fails there too): found by bisection. */
function errorOffset(text: string, message: string): number {
  const at = positionOf(message);
  if (at !== undefined) return at;
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  const failsInside = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (err) {
      const msg = (err as Error).message;
      const p = positionOf(msg);
      return !/Unexpected end of JSON input/.test(msg) && (p === undefined || p < k);
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

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
    throw new PlanFileError(jsonErrorAt(path, text, (err as Error).message));
  }
  // ajv (~100 modules) is loaded when a plan file is read, not by `alignc diff` of two recipes
  validator ??= new (createRequire(import.meta.url)("ajv") as typeof import("ajv")).Ajv({ allErrors: true, strict: false }).compile(PLAN_SCHEMA);
  if (!validator(plan)) throw new PlanFileError(`${path}: not a plan (${validator.errors!.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ")})`);
  // a node id twice (a hand-edited or concatenated file): which of the two runs, and which a diff reads, is undefined
  const ids = new Set<string>();
  for (const n of (plan as Plan).nodes) {
    if (ids.has(n.id)) throw new PlanFileError(`${path}: not a plan (node \`${n.id}\` appears twice)`);
    ids.add(n.id);
  }
  return plan as Plan;
}
