// OpenRLHF argument lists checked as its argparse parser would read them, but loud: an unknown flag,
// a value of the wrong type, a value outside `choices`, a value given to an on/off flag, a missing
// value, or a flag given twice (argparse keeps the last one silently) is an error.
import type { OpenRLHFFlag } from "./schemas.js";

const INT = /^[-+]?\d+$/;
// Python's float(): decimal or exponent forms, inf, nan
const FLOAT = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|infinity|nan)$/i;

function typeOk(type: OpenRLHFFlag["type"], value: string): boolean {
  if (type === "int") return INT.test(value);
  if (type === "float") return FLOAT.test(value);
  return true; // str (or untyped): any text
}

/** Errors of one argv (tokens after the module name); [] when argparse would accept it as meant. */
export function validateOpenRLHFArgv(argv: readonly string[], flags: readonly OpenRLHFFlag[]): string[] {
  const byFlag = new Map(flags.map((f) => [f.flag, f]));
  const errors: string[] = [];
  const seen = new Set<string>();
  let i = 0;
  while (i < argv.length) {
    const tok = argv[i]!;
    i++;
    if (!tok.startsWith("--")) {
      errors.push(`unexpected value ${JSON.stringify(tok)} (not after a flag that takes one)`);
      continue;
    }
    const spec = byFlag.get(tok);
    if (!spec) {
      errors.push(`unknown flag ${tok}`);
      while (i < argv.length && !argv[i]!.startsWith("--")) i++;
      continue;
    }
    if (seen.has(tok)) errors.push(`flag ${tok} given twice`);
    seen.add(tok);
    const values: string[] = [];
    while (i < argv.length && !argv[i]!.startsWith("--")) values.push(argv[i++]!);
    if (spec.kind === "_StoreTrueAction" || spec.kind === "_StoreFalseAction" || spec.nargs === 0) {
      if (values.length) errors.push(`${tok} is an on/off flag and takes no value (got ${values.join(" ")})`);
      continue;
    }
    const n = spec.nargs;
    const want = n === null || n === undefined ? 1 : n;
    if (typeof want === "number" && values.length !== want) {
      errors.push(`${tok} takes ${want} value${want === 1 ? "" : "s"}, got ${values.length}`);
    } else if (want === "+" && values.length === 0) errors.push(`${tok} takes at least one value`);
    else if (want === "?" && values.length > 1) errors.push(`${tok} takes at most one value`);
    for (const v of values) {
      if (!typeOk(spec.type, v)) errors.push(`${tok} expects ${spec.type}, got ${JSON.stringify(v)}`);
      if (spec.choices && !spec.choices.map(String).includes(v)) errors.push(`${tok} must be one of ${spec.choices.join(", ")}, got ${JSON.stringify(v)}`);
    }
  }
  return errors;
}

/** Read an args file: one argv token per line (the launch scripts load it with `mapfile -t`). */
export function parseArgsFile(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
