// Gates with teeth: on the micro pipeline, pretrain, SFT and PPO stages that do nothing (learning
// rates of 1e-12) fail the gates a real run is held to — held-out loss below the best constant
// distribution's, accuracy above the constant-answer
// baseline, a win rate above ½ by the rule or by the reward model PPO optimised, with a sign-test
// p-value — while `expect full_size`
// gates are skipped by --tiny and said to be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT } from "../../src/run/executor.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { tempDir } from "./helpers.js";
import { microRecipe } from "./micro.js";

test("no-op SFT and PPO stages fail the gates; full_size gates are skipped by --tiny", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const base = microRecipe({ name: "noop" });
    const src = base
      .replace(/stage sft = sft \{ init = pre /, "stage sft = sft { init = pre  lr = 1e-12 ")
      .replace(/  kl_coef = /, "  lr = 1e-12\n  kl_coef = ")
      .replace(/expect \{[\s\S]*?\n\}\n/, `expect {
  zs.accuracy > zs.baseline
  rule.win_rate > 0.5
  judge.win_rate > 0.5
  judge.p_value < 0.01
  judge.wins - judge.empty_a_wins > judge.losses
  judge.nonempty_p_value < 0.01
}
expect full_size { rule.p_value < 0.01 }
`);
    assert.notEqual(src, base);
    assert.match(src, /lr = 1e-12\n  kl_coef/);
    const file = join(dir, "noop.align");
    writeFileSync(file, src);
    const lines: string[] = [];
    const progress = createProgress({ quiet: true });
    const info = progress.info.bind(progress);
    progress.info = (l: string) => {
      lines.push(l);
      info(l);
    };
    const r = await runRecipe(file, { tiny: true, runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress, workers: 1 });
    assert.ok(r.ok, r.ok ? "" : `${r.message} ${r.diagnostics.map((d) => d.message).join("; ")}`);
    const m = r.outcome.manifest;
    assert.equal(r.outcome.exitCode, EXIT.expectations);
    const byText = Object.fromEntries(m.expectations.map((e) => [e.text, e]));
    assert.equal(byText["zs.accuracy > zs.baseline"]?.ok, false, JSON.stringify(byText));
    const rule = m.nodes.find((n) => n.id === "rule")!.summary!;
    // the same network answers the same: every prompt a tie, win rate exactly ½, p = 1
    assert.deepEqual([rule.wins, rule.losses, rule.win_rate, rule.p_value], [0, 0, 0.5, 1], JSON.stringify(rule));
    assert.equal(byText["rule.win_rate > 0.5"]?.ok, false);
    // the reward model scores the same answer the same: ties again, so the quickstart's --tiny gates
    // on its RM judge fail for a PPO stage that did nothing
    const judge = m.nodes.find((n) => n.id === "judge")!.summary!;
    assert.deepEqual([judge.wins, judge.losses, judge.win_rate, judge.p_value], [0, 0, 0.5, 1], JSON.stringify(judge));
    // each side's answers of nothing are counted, with the wins they took: none, answering as SFT does (figures38 #1)
    assert.equal(typeof judge.empty_a, "number");
    assert.equal(judge.empty_a, judge.empty_b);
    assert.deepEqual([judge.empty_a_wins, judge.empty_b_wins], [0, 0]);
    assert.equal(byText["judge.win_rate > 0.5"]?.ok, false);
    assert.equal(byText["judge.p_value < 0.01"]?.ok, false);
    // the quickstart's gate on the RM judge's wins that are not answers of nothing: 0 > 0 (reviewC39 M2)
    assert.equal(byText["judge.wins - judge.empty_a_wins > judge.losses"]?.ok, false, JSON.stringify(byText));
    assert.equal(judge.nonempty_p_value, 1, "no decided pair: the sign test on the non-empty wins says nothing");
    assert.equal(byText["judge.nonempty_p_value < 0.01"]?.ok, false);
    assert.equal(byText["rule.p_value < 0.01"], undefined, "a full_size gate is not evaluated by --tiny");
    assert.ok(lines.some((l) => l.includes("expect full_size (skipped by --tiny): rule.p_value < 0.01")), lines.join("\n"));
  } finally {
    cleanup();
  }
});

test("a no-op PPO stage fails the quickstart's --tiny gate on its own probe: greedy answers, and their RM score, unchanged", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const base = microRecipe({ name: "noop_ppo" });
    const src = base
      .replace(/  kl_coef = /, "  lr = 1e-12\n  kl_coef = ")
      .replace(/expect \{[\s\S]*?\n\}\n/, `expect {
  policy.greedy_reward > policy.greedy_reward_before
}
`);
    assert.match(src, /lr = 1e-12\n  kl_coef/);
    assert.match(src, /policy\.greedy_reward > /);
    const file = join(dir, "noop_ppo.align");
    writeFileSync(file, src);
    const r = await runRecipe(file, { tiny: true, runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 });
    assert.ok(r.ok, r.ok ? "" : String(r.message));
    assert.equal(r.outcome.exitCode, EXIT.expectations);
    const [gate] = r.outcome.manifest.expectations;
    assert.equal(gate?.ok, false, JSON.stringify(gate));
    assert.equal(gate?.left, gate?.right, "the probe's score before and after are the same number");
  } finally {
    cleanup();
  }
});

test("a no-op pretrain stage fails the quickstart's --tiny gate: held-out loss as at initialisation, above the best constant distribution's", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const base = microRecipe({ name: "noop_pre" });
    const src = base
      .replace(/stage pre = pretrain \{ init = tiny /, "stage pre = pretrain { init = tiny  lr = 1e-12 ")
      .replace(/expect \{[\s\S]*?\n\}\n/, `expect {
  pre.val_loss < pre.val_loss_baseline
}
`);
    assert.match(src, /init = tiny  lr = 1e-12/);
    const file = join(dir, "noop_pre.align");
    writeFileSync(file, src);
    const r = await runRecipe(file, { tiny: true, runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 });
    assert.ok(r.ok, r.ok ? "" : String(r.message));
    assert.equal(r.outcome.exitCode, EXIT.expectations);
    const pre = r.outcome.manifest.nodes.find((n) => n.id === "pre")!.summary!;
    assert.equal(pre.val_loss, pre.val_loss_before, JSON.stringify(pre));
    assert.ok(pre.val_loss! > pre.val_loss_baseline!, JSON.stringify(pre));
    const [gate] = r.outcome.manifest.expectations;
    assert.equal(gate?.ok, false, JSON.stringify(gate));
    // the gate names only pre, so it is decided when pre ends and what depends on pre is not run
    assert.equal(r.outcome.manifest.nodes.find((n) => n.id === "sft")?.status, "blocked");
  } finally {
    cleanup();
  }
});

test("with reward = \"rule\" the quickstart's PPO gate reads the rule's score: greedy_reward is the stage's own reward, whichever it is", async () => {
  const { dir, cleanup } = tempDir();
  try {
    // before: the gate named greedy_rm_score, which a rule-rewarded PPO does not record, so the
    // rule-reward control (recipes/replicate/quickstart-rule-reward.align) was blocked before its judge
    const src = microRecipe({ name: "rule_ppo" })
      .replace(/  reward = rm\n/, '  reward = "rule"\n')
      .replace(/expect \{[\s\S]*?\n\}\n/, `expect {
  policy.greedy_reward >= policy.greedy_reward_before - 100
}
`);
    assert.match(src, /reward = "rule"/);
    const file = join(dir, "rule_ppo.align");
    writeFileSync(file, src);
    const r = await runRecipe(file, { tiny: true, runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 });
    assert.ok(r.ok, r.ok ? "" : String(r.message));
    const policy = r.outcome.manifest.nodes.find((n) => n.id === "policy")!.summary!;
    assert.equal(policy.greedy_reward, policy.greedy_rule_score);
    assert.equal(policy.greedy_reward_before, policy.greedy_rule_score_before);
    assert.equal("greedy_rm_score" in policy, false, "no reward model in this PPO");
    const [gate] = r.outcome.manifest.expectations;
    assert.equal(gate?.ok, true, JSON.stringify(gate));
  } finally {
    cleanup();
  }
});
