// Every `alignc explain` example, by family, and the codes that have none with the reason why.
// test/cli/explain.test.ts holds the two in step with the code tables: each code is either
// exemplified here (and its example runs as the test asserts) or listed in NO_EXAMPLE.
import { SYNTAX_EXAMPLES } from "./syntax.js";
import { CHECK_EXAMPLES } from "./check.js";
import type { CodeExample } from "./types.js";

export type { CodeExample, ExampleCommand } from "./types.js";

export const EXAMPLES: Record<string, CodeExample> = { ...SYNTAX_EXAMPLES, ...CHECK_EXAMPLES };

/** Codes a recipe cannot show: only a running process (or a bug) raises them, or the example would be
 * too large to read. `alignc explain` prints the reason in place of an example. */
export const NO_EXAMPLE: Record<string, string> = {
  AL1015:
    "needs more than 20,000 entries in one block, list or call: an example would be 20,001 lines long (test/lang/codes.test.ts builds one); split the block or load the values from a data file",
  AL1999: "a bug in alignc's parser, which no recipe is meant to reach; please report it with the recipe that raised it",
};
