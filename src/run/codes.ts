// The run diagnostic codes (AL5xxx), one table: code → what it means. These are raised while a plan
// executes — what no check before compute could know — and are located at the recipe property or
// block whose stage failed. Codes are stable: a code is never reused for another meaning.
export const RUN_CODES = {
  AL5001: "a training step gave a non-finite (NaN/Inf) loss or gradient: the stage stopped without applying it, and its last good state is saved as a resumable checkpoint",
  AL5002: "a model's weights file (`weights = safetensors(...)`) has another shape than its block declares (layers, d_model, heads, context or the tokenizer's vocabulary): the plan's estimates, checks and max_length were made for the block's (the run-time guard behind AL4023, met only when the file changed after the plan read it), or any change to the file since the plan hashed it (its sha256 is checked each time a stage or eval loads it)",
  AL5003: "a file of a cache entry a run was using (a stage's weights, a draw's samples) no longer holds what the entry recorded when the run read it: another process replaced the entry (`alignc run --force`) or the file was changed or removed. The run stops before it computes anything from another generation of the entry than the one it recorded; run the same command again to read a replaced entry as it is now, or with `--force NODE` to replace a damaged one (its file changed under the same entry.json)",
  AL5004: "a data or template file the plan hashed no longer holds that content where the run reads it (edited, replaced or removed after the plan hashed it), or a `dir(…)` folder holds an entry the plan did not list: what the run computed from it would be cached under the hash of content it was not computed from, so nothing is computed from it and the run stops (before the run folder exists when the data is built at the start); run again once the file is as you want it (the recipe is planned anew). Weights files are AL5002",
} as const;

export type RunCode = keyof typeof RUN_CODES;
