// A reward model scores a prompt's responses as its stage cut its training groups: its max_length and
// truncate, one prompt cut for the whole group (src/run/nodes/reward-reader.ts). PPO's reward and a judge kept the model's last `context`
// tokens, so a reward model trained at max_length 16 read sequences 64 long, and one trained with
// `truncate = "right"` read the prompt cut where it learned on responses cut.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { rewardReader } from "../../src/run/nodes/reward-reader.js";
import { microRecipe } from "./micro.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-reward-reader-"));

async function planWith(rmProps: string) {
  const p = join(dir, `rm${rmProps.length}.align`);
  writeFileSync(p, microRecipe().replace("batch_size = 2  max_length = 64  log_every = 2", "batch_size = 2  log_every = 2").replace("stage rm = reward_model { init = sft  data = prefs  format = chat", `stage rm = reward_model { init = sft  data = prefs  format = chat  ${rmProps}`));
  const r = await compile(p, { cache: false });
  assert.ok(r.plan, JSON.stringify(r.diagnostics));
  return r.plan;
}

const prompt = Array.from({ length: 40 }, (_, i) => 100 + i);
const response = [1, 2, 3, 4, 5];

test("the sequence a reward model scores fits its stage's max_length, cut by its stage's truncate", async () => {
  // the model's context (64) alone: nothing to cut
  assert.deepEqual(rewardReader(await planWith(""), "rm")(prompt, [response]), [[...prompt, ...response]]);
  // max_length 16, prompt_first (the default): the prompt's start goes, the response stays whole
  const [cut] = rewardReader(await planWith("max_length = 16"), "rm")(prompt, [response]);
  assert.deepEqual(cut, [...prompt.slice(-11), ...response]);
  // max_length 16, right: the prompt's start stays, what passes 16 goes
  const [right] = rewardReader(await planWith(`max_length = 16  truncate = "right"`), "rm")(prompt, [response]);
  assert.deepEqual(right, [...prompt.slice(0, 15), response[0]], "the prompt keeps max_length − 1 tokens, the response what is left");
});

// Training gives every response of a group the same prompt tokens (truncateGroup); read one by one, a
// shorter answer kept more of the prompt than a longer one beside it, so a judged pair, a best-of
// pick's candidates or one prompt's PPO rollouts were scored on different prompts, by their lengths
test("the responses to one prompt are read on the same prompt tokens, as the stage trained on them", async () => {
  const read = rewardReader(await planWith("max_length = 16"), "rm");
  const short = [7];
  const [a, b] = read(prompt, [response, short]);
  assert.deepEqual(a, [...prompt.slice(-11), ...response]);
  assert.deepEqual(b, [...prompt.slice(-11), ...short], "the short answer sees the prompt the long one does");
  assert.deepEqual(read(prompt, [short])[0], [...prompt.slice(-15), ...short], "alone, it keeps more");
});
