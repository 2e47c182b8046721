// A stage's figures on the closing summary and in the report's plan table, each said with what it is
// measured on (figures38 #8: `greedy_rule_win_rate 0.5078` read like a held-out win rate).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { stageHeadline } from "../../src/run/presentation/stage-headline.js";

test("PPO's probe is said to be of its own training prompts, with its counts and p; the RM score is said once when it is the reward", () => {
  const line = stageHeadline({ steps: 20, workers: 1, loss: 0.6, reward: 6.93, kl: 5.4, reward_start: 5.77, greedy_rm_score_before: 5.77, greedy_reward_before: 5.77, greedy_rm_score: 6.67, greedy_reward: 6.67, greedy_rule_score_before: 0.21, greedy_rule_score: 0.2, greedy_rule_win_rate: 0.4922, greedy_rule_wins: 9, greedy_rule_ties: 45, greedy_rule_losses: 10, greedy_rule_p_value: 1, tokens_per_s: 4000 });
  assert.match(line, /^20 steps; probe of its own training prompts \(not held out\): rule win rate over its start 0\.4922 W9\/T45\/L10, sign test p 1, greedy reward 5\.77 → 6\.67, greedy rule score 0\.21 → 0\.2; training batches \(last tenth of the steps\): loss 0\.6, sampled reward 6\.93, KL 5\.4$/);
  assert.doesNotMatch(line, /reward_start|tokens_per_s|workers|greedy RM score/);
  // a reward that is not the RM: both said
  assert.match(stageHeadline({ greedy_reward_before: 0.2, greedy_reward: 0.3, greedy_rm_score_before: 5, greedy_rm_score: 6 }), /greedy reward 0\.2 → 0\.3, greedy RM score 5 → 6/);
});

test("a reward model's held-out pairs and its training batches are told apart, each beside chance", () => {
  const line = stageHeadline({ steps: 150, loss: 0.45, batch_accuracy: 0.7309, heldout_accuracy_before: 0.5675, heldout_accuracy: 0.719, heldout_accuracy_length_baseline: 0.5116, accuracy: 0.719 });
  assert.equal(line, "150 steps; held-out pair accuracy 0.5675 → 0.719 (chance 0.5, length alone 0.5116); training batches (last tenth of the steps): loss 0.45, pair accuracy 0.7309 (chance 0.5)");
  assert.match(stageHeadline({ val_loss_before: 7.6, val_loss: 0.97, val_loss_baseline: 3.3, loss: 1.08 }), /^held-out loss 7\.6 → 0\.97 nats\/token \(best constant distribution 3\.3\); training batches \(last tenth of the steps\): loss 1\.08$/);
});

test("for any summary, every figure but the unshown ones appears on the line: a key the table does not know is printed as it is", () => {
  const hidden = new Set(["workers", "tokens_per_s", "reward_start"]);
  const keys = ["steps", "loss", "batch_accuracy", "margin", "reward", "rule_score", "kl", "clip_fraction", "entropy", "value_loss", "ptx_loss", "val_loss", "val_loss_before", "val_loss_baseline", "heldout_accuracy", "heldout_accuracy_before", "greedy_rule_win_rate", "greedy_reward", "greedy_rule_score", "something_new", ...hidden];
  fc.assert(
    // distinct values, each looked for as a whole number (`1` inside `10` proved nothing: seedsQ41)
    fc.property(fc.uniqueArray(fc.constantFrom(...keys)).chain((ks) => fc.tuple(fc.constant(ks), fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: ks.length, maxLength: ks.length }))), ([ks, vs]) => {
      const s = Object.fromEntries(ks.map((k, i) => [k, vs[i]!]));
      const line = stageHeadline(s);
      return Object.entries(s).every(([k, v]) => hidden.has(k) || new RegExp(`(^|[^0-9.])${v}([^0-9.]|$)`).test(line));
    }),
  );
  assert.match(stageHeadline({ something_new: 3 }), /^something_new 3$/);
});
