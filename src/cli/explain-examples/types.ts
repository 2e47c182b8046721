// The shape of an `alignc explain` example: a recipe (and the small files it names) that raises one
// code through the command a user would type, and the same recipe fixed. test/cli/explain.test.ts
// runs every example through the CLI's own main() in a temp folder: check first, then the example's
// command; the bad recipe raises exactly its code there (and nothing before), the fix raises nothing.

/** The command that meets the code, typed as `alignc COMMAND [...args] r.align`. */
export type ExampleCommand = "check" | "plan" | "data" | "export";

export interface CodeExample {
  /** the recipe (written as r.align) that raises the code */
  bad: string;
  /** the same recipe with the problem fixed */
  fix: string;
  /** what to change, in words */
  how: string;
  /** where the code is met (default `check`); `check` is run first in every case */
  command?: ExampleCommand;
  /** options of that command, before the recipe (e.g. `--variant x`, `--to trl --out out`) */
  args?: string[];
  /** the options of the fix, when the fix is in the command (`--variant`, `--to`) rather than the recipe */
  fixArgs?: string[];
  /** small files beside the recipe, name → content (read by both, unless `fixFiles` replaces them) */
  files?: Record<string, string>;
  /** the files of the fix, when the fix is in a file rather than (or as well as) in the recipe */
  fixFiles?: Record<string, string>;
  /** codes that cannot help coming with this one (AL1013 counts the errors before it) */
  with?: string[];
}

/** The lines every recipe example starts from: a header and a tokenizer `bytes`. */
export const HEADER = "recipe r { seed = 1 }\ntokenizer bytes = byte_level {}\n";

/** HEADER plus a model `m` small enough to plan in milliseconds. */
export const MODEL = `${HEADER}model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }\n`;
