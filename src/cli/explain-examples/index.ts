// Every `alignc explain` example, by family, and the codes that have none with the reason why.
// test/cli/explain.test.ts holds the two in step with the code tables: each code is either
// exemplified here (and its example runs as the test asserts) or listed in NO_EXAMPLE.
import { SYNTAX_EXAMPLES } from "./syntax.js";
import { CHECK_EXAMPLES } from "./check.js";
import { DATA_EXAMPLES } from "./data.js";
import { PLAN_EXAMPLES } from "./plan.js";
import { EXPORT_EXAMPLES } from "./export.js";
import type { CodeExample } from "./types.js";

export type { CodeExample, ExampleCommand } from "./types.js";

export const EXAMPLES: Record<string, CodeExample> = { ...SYNTAX_EXAMPLES, ...CHECK_EXAMPLES, ...DATA_EXAMPLES, ...PLAN_EXAMPLES, ...EXPORT_EXAMPLES };

/** Codes no example can show through check, plan, data or export: only a running process (or a bug)
 * raises them, the checker meets every recipe that could first, or the example would be too large to
 * read. `alignc explain` prints the reason in place of an example. */
export const NO_EXAMPLE: Record<string, string> = {
  AL1015:
    "needs more than 20,000 entries in one block, list or call: an example would be 20,001 lines long (test/lang/codes.test.ts builds one); split the block or load the values from a data file",
  AL1007:
    "needs a recipe whose bytes are not UTF-8, and an example's files are text written as UTF-8; `printf 'recipe r { seed = 1 } // caf\\xe9\\n' > r.align && alignc check r.align` shows it. Convert the file (iconv -f latin1 -t utf-8 r.align)",
  AL1999: "a bug in alignc's parser, which no recipe is meant to reach; please report it with the recipe that raised it",
  AL3023:
    "retired, no longer raised: a `samples(…) as rankings { labeler = \"rule\" }` source's prompts always carry a reference answer now, since every prompts reader gives one or refuses first: a text source is AL2040 (declared `as text`, a pretraining corpus) or AL3060 (a source without `as ROLE` read as text), an empty response or target is AL3030 at its row (a task's derived inversion of an empty input included), and a draw keeps non-empty samples only",
  AL3050:
    "the checker accepts only a tokenizer block as a model's tokenizer and text as a BPE corpus (AL2009, AL2011), so no checked recipe reaches it; it guards library callers and hand-edited plans",
  AL3061:
    "met by `alignc data` on a `samples(…) as rankings` source that no run has drawn yet; the fix is not in the recipe but a run (`alignc run r.align --until NAME/draw`, which trains the sampled stage first), which this project's tests keep out of `alignc explain`'s examples. The message names the command",
  AL4010:
    "a file that `alignc check` found but `plan` cannot read: it was removed or lost its permissions between the two, which a recipe and the contents of its files cannot show (a missing file is AL2016 at check)",
  AL4013:
    "the data layer failed on a block with an error that is not a data diagnostic (an I/O error mid-read, or a bug in alignc): the plan is still made, without that block's size; please report it with the recipe",
  AL4606:
    "`alignc export` refuses an unknown --target-version or a --nodes/--gpus-per-node that is not a positive integer as a usage error (exit 2, with the versions it knows) before anything is compiled; AL4606 is what library callers of exportRecipe get for the same",
  AL5001:
    "raised by `alignc run` when a training step's loss or gradient is not finite (NaN/Inf): only training meets it, and `alignc explain`'s examples train nothing. The stage stops with its last good state saved; lower lr, keep grad_clip > 0, or check the data for extreme lengths",
  AL4023:
    "needs a binary safetensors file, which explain's examples (text files) cannot hold; test/run/weights-file.test.ts and test/cli/check-weights-shape.test.ts build one. `alignc check` and `alignc plan` read the file's header (a few KB, no tensors) and name each field where it differs from the block (`layers: the file has 1, the plan 2`); declare the file's shape in the block",
  AL5003:
    "met only by `alignc run` when another process replaces a stage's cache entry (`alignc run --force`) while this run uses it: a race between two running processes, which no recipe shows, or a cached file damaged under its entry.json, which only a run that trained the entry first meets; test/run/entry-generation.test.ts stages both. Run the same command again (replaced) or with `--force NODE` (damaged)",
  AL5004:
    "met only by `alignc run` when a data or template file changes (or a file is added to a `dir(…)` folder) between the plan hashing it and the run reading it, a race no recipe shows; test/run/planned-files.test.ts stages it. Run again once the file is as you want it",
  AL5002:
    "the run-time guard behind AL4023: `alignc plan` holds a weights file's header to its model block before any compute, so a run meets a file of another shape only if the file changed between the plan and the load",
};
