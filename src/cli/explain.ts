// `alignc explain CODE`: what a diagnostic code means (from the one table of its family), a recipe
// (with the small files it names) that raises it through the command a user types, and the same
// recipe fixed (src/cli/explain-examples/); for the few codes no recipe can show, why not. Every
// example is run by test/cli/explain.test.ts: the recipe raises exactly that code, the fix nothing.
import { CODES as CHECK_CODES } from "../check/codes.js";
import { DATA_CODE_MEANINGS as DATA_CODES } from "../data/diag.js";
import { SYNTAX_CODES } from "../lang/codes.js";
import { EXPORT_CODES } from "../export/compile.js";
import { PLAN_CODES } from "../plan/codes.js";
import { RUN_CODES } from "../run/codes.js";
import { EXAMPLES, NO_EXAMPLE, type CodeExample } from "./explain-examples/index.js";

export { EXAMPLES, NO_EXAMPLE, type CodeExample };

export interface Explanation {
  code: string;
  family: string;
  meaning: string;
  example: CodeExample | null;
}

/** The code's meaning and example, or null when no table has it. */
export function explain(codeArg: string): Explanation | null {
  const code = codeArg.toUpperCase();
  const tables: [string, Record<string, string>][] = [
    ["syntax (AL1xxx, src/lang/codes.ts)", SYNTAX_CODES],
    ["check (AL2xxx, src/check/codes.ts)", CHECK_CODES as Record<string, string>],
    ["data (AL3xxx, src/data/diag.ts)", DATA_CODES],
    ["plan (AL4xxx, src/plan/codes.ts)", PLAN_CODES],
    ["export (AL46xx, src/export/compile.ts)", EXPORT_CODES],
    ["run (AL5xxx, src/run/codes.ts)", RUN_CODES],
  ];
  for (const [family, table] of tables) if (Object.hasOwn(table, code)) return { code, family, meaning: table[code]!, example: EXAMPLES[code] ?? null };
  return null;
}

/** Every code known to `explain`, sorted. */
export function allCodes(): string[] {
  return [...Object.keys(SYNTAX_CODES), ...Object.keys(CHECK_CODES), ...Object.keys(DATA_CODES), ...Object.keys(PLAN_CODES), ...Object.keys(EXPORT_CODES), ...Object.keys(RUN_CODES)].sort();
}

/** The command line an example is met with (`alignc check r.align`, `alignc plan --variant x r.align`). */
export function exampleCommand(ex: CodeExample, args: string[] = ex.args ?? []): string {
  return ["alignc", ex.command ?? "check", ...args, "r.align"].join(" ");
}

const indent = (s: string, by = "    "): string => s.trimEnd().split("\n").map((l) => `${by}${l}`).join("\n");

/** The recipe and each file under its name; `same` lists what the fix leaves as the bad example had it. */
function files(recipe: string, extra: Record<string, string>, same: (name: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const [name, text] of [["r.align", recipe] as const, ...Object.entries(extra)]) {
    out.push(same(name) ? `  ${name}: as above` : `  ${name}:\n${indent(text === "" ? "(empty file)" : text)}`);
  }
  return out;
}

export function renderExplanation(e: Explanation): string {
  const lines = [`${e.code}: ${e.meaning}`, `family: ${e.family}`];
  const ex = e.example;
  if (ex) {
    const bad = ex.files ?? {};
    const fixed = ex.fixFiles ?? bad;
    lines.push("", `raised by \`${exampleCommand(ex)}\` in a folder holding:`, ...files(ex.bad, bad));
    lines.push("", `fix: ${ex.how}`);
    if (ex.fixArgs) lines.push(`  \`${exampleCommand(ex, ex.fixArgs)}\``);
    lines.push(...files(ex.fix, fixed, (name) => (name === "r.align" ? ex.fix === ex.bad : bad[name] === fixed[name])));
  } else {
    const why = NO_EXAMPLE[e.code];
    lines.push("", why ? `no example: ${why}` : "(no example recorded for this code; the message at the location says what was found)");
  }
  return `${lines.join("\n")}\n`;
}
