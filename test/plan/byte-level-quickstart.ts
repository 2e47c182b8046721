// The quickstart as it was until 5 Dec 2026, in byte-level tokens (recipes/quickstart.align tokenizes
// subwords since). Tests whose subject was measured on that model compile it from here: the throughput
// table's quickstart row (src/train/throughput.ts), the grouped-batch estimate's 5 % (README, training
// engine) and the pretraining of the held-out-template diagnosis recipes in recipes/replicate/.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../repo-root.js";

/** Write `dir/NAME.align`: the quickstart with `tiny` on a byte-level tokenizer, plus `overrides` (dotted, one per line); its path. */
export function byteLevelQuickstart(dir: string, name = "quickstart-bytes", overrides = ""): string {
  const file = join(dir, `${name}.align`);
  const base = join(repoRoot(), "recipes", "quickstart.align");
  // PPO's rollouts were at T 0.7 then (the quickstart's until 7 Dec 2026)
  writeFileSync(file, `recipe ${name.replace(/-/g, "_")} extends ${JSON.stringify(base)} {\n  tiny.tokenizer = bytes\n  policy.temperature = 0.7\n${overrides}}\ntokenizer bytes = byte_level {}\n`);
  return file;
}
