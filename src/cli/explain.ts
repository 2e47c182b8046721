// `alignc explain CODE`: what a diagnostic code means (from the one table of its family), and for the
// codes users meet most, a recipe snippet that raises it and the same snippet fixed. Every example is
// checked by test/cli/explain.test.ts: the snippet raises exactly that code, the fix does not.
import { CODES as CHECK_CODES } from "../check/codes.js";
import { CODES as DATA_CODE_IDS } from "../data/diag.js";
import { SYNTAX_CODES } from "../lang/codes.js";
import { EXPORT_CODES } from "../export/compile.js";
import { PLAN_CODES } from "../plan/codes.js";
import { RUN_CODES } from "../run/codes.js";

/** Data codes are named by what they mean in src/data/diag.ts; their names, spelt out. */
const DATA_CODES: Record<string, string> = Object.fromEntries(
  Object.entries(DATA_CODE_IDS).map(([name, code]) => [code, name.replace(/([A-Z])/g, " $1").toLowerCase()]),
);

const HEADER = "recipe r { seed = 1 }\ntokenizer bytes = byte_level {}\n";

export interface CodeExample {
  /** a recipe that raises the code (checked alone, no files needed unless named) */
  bad: string;
  /** the same recipe with the problem fixed */
  fix: string;
  /** what to change, in words */
  how: string;
}

export const EXAMPLES: Record<string, CodeExample> = {
  AL1010: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = [1, 2 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 }\n`,
    how: "close what was opened (a list with `]`, a block with `}`) or write the token the message names",
  },
  AL1011: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = = 2 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 }\n`,
    how: "a value (number, string, name, list, block, call) must follow `=`",
  },
  AL2001: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes }\nmodel m = gpt { tokenizer = bytes  layers = 4 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes }\nmodel m_deep = gpt { tokenizer = bytes  layers = 4 }\n`,
    how: "give each block its own name (references use it)",
  },
  AL2002: {
    bad: `${HEADER}modle m = gpt { tokenizer = bytes }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes }\n`,
    how: "use one of the keywords tokenizer, model, source, task, mixture, format, stage, eval (the hint names the closest)",
  },
  AL2003: {
    bad: `${HEADER}model m = gtp { tokenizer = bytes }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes }\n`,
    how: "use a kind of that keyword (the hint names the closest, or the keyword the kind belongs to)",
  },
  AL2004: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layer = 2 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 }\n`,
    how: "use a property of the block's kind (`alignc check` suggests the closest; a property of a sibling kind is named as such)",
  },
  AL2006: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  layers = "two" }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 }\n`,
    how: "give the value the type the kind declares (the message says which)",
  },
  AL2007: {
    bad: `${HEADER}model m = gpt { layers = 2 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  layers = 2 }\n`,
    how: "add the property the message names",
  },
  AL2008: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  dropout = 1.5 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  dropout = 0.1 }\n`,
    how: "bring the value into the range the message states",
  },
  AL2009: {
    bad: `${HEADER}model m = gpt { tokenizer = byts }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes }\n`,
    how: "reference a block declared in the recipe (or one it extends)",
  },
  AL2011: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes }\nmodel n = gpt { tokenizer = m }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes }\nmodel n = gpt { tokenizer = bytes }\n`,
    how: "reference a block of the kind the property accepts (the message lists them)",
  },
  AL2012: {
    bad: `${HEADER}model m = gpt { tokenizer = bytes  d_model = 100  heads = 3 }\n`,
    fix: `${HEADER}model m = gpt { tokenizer = bytes  d_model = 96  heads = 3 }\n`,
    how: "choose d_model a multiple of heads",
  },
  AL2039: {
    bad: "recipe r { seed = 1 }\n",
    fix: HEADER,
    how: "declare at least one block; an empty file or a header alone is usually the wrong file, or one not saved yet",
  },
};

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

export function renderExplanation(e: Explanation): string {
  const lines = [`${e.code}: ${e.meaning}`, `family: ${e.family}`];
  if (e.example) {
    const indent = (s: string) => s.trimEnd().split("\n").map((l) => `    ${l}`).join("\n");
    lines.push("", "raised by:", indent(e.example.bad), "", `fix: ${e.example.how}`, indent(e.example.fix));
  } else lines.push("", "(no example recorded for this code; the message at the location says what was found)");
  return `${lines.join("\n")}\n`;
}
