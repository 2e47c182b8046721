// End to end through the real data layer and training engine on a micro recipe (seconds): a cold
// run, an unchanged re-run (all cached, TensorFlow.js not even selected), a re-run after changing
// only PPO's kl_coef (exactly PPO and the evals reading it re-run), and Ctrl-C in PPO with an exact
// resume.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { exited, outcome, spawnFixture, tempDir, waitForLine } from "./helpers.js";
import { writeMicro } from "./micro.js";
import { STATE_FILE } from "../../src/run/nodes/stages.js";

const quiet = createProgress({ quiet: true });
const STAGES_AND_EVALS = ["pre", "sft", "rm", "policy", "rm_acc", "judge", "rule", "zs", "held"];

function statuses(m: { nodes: { id: string; status: string }[] }): Record<string, string> {
  return Object.fromEntries(m.nodes.filter((n) => STAGES_AND_EVALS.includes(n.id)).map((n) => [n.id, n.status]));
}

test("micro pipeline: cold run, unchanged re-run from cache, kl_coef change re-runs only PPO and its evals", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 };
    const recipe = writeMicro(dir);
    const cold = outcome(await runRecipe(recipe, paths));
    assert.equal(cold.exitCode, 0);
    assert.deepEqual(Object.values(statuses(cold.manifest)), STAGES_AND_EVALS.map(() => "computed"));
    const byId = Object.fromEntries(cold.manifest.nodes.map((n) => [n.id, n.summary ?? {}]));
    // each stage measured on held-out data before and after: pretraining lowers held-out loss
    assert.ok(byId.pre!.val_loss! < byId.pre!.val_loss_before!, JSON.stringify(byId.pre));
    assert.ok(byId.rm!.heldout_accuracy! >= 0 && byId.rm!.heldout_accuracy! <= 1);
    // one name, one measure: the stage's held-out accuracy is the rm_accuracy eval's on the same pairs
    // (groups weighted as training weighs them; the stage counted pairs pooled until engine epoch 24)
    // (both score every response in one pass, in the same batches: equal to the bit)
    assert.equal(byId.rm!.heldout_accuracy, byId.rm_acc!.accuracy, `pooled ${byId.rm_acc!.pooled_accuracy}`);
    for (const j of ["judge", "rule"]) {
      const s = byId[j]!;
      assert.equal(s.n, 8);
      assert.ok(s.ci_low! <= s.win_rate! && s.win_rate! <= s.ci_high!, JSON.stringify(s));
    }
    assert.ok(Number.isFinite(byId.held!.loss));
    const run = RunDir.open(cold.runDir);
    const stages = new Set(run.readMetrics().map((r) => r.stage));
    for (const s of ["pre", "sft", "rm", "policy"]) assert.ok(stages.has(s), `metrics for ${s}`);
    // step 0 holds the before-training figure (greedy answers' RM score); every training step has reward and KL
    const policyRows = run.readMetrics().filter((r) => r.stage === "policy");
    assert.equal(typeof policyRows.find((r) => r.step === 0)?.greedy_rm_score, "number");
    assert.equal(policyRows.find((r) => r.step === 0)?.greedy_reward, policyRows.find((r) => r.step === 0)?.greedy_rm_score, "with a reward model, the stage's reward is its score");
    // … and the last step its after point, so the curve is before → after, not the untrained model alone
    const last = Math.max(...policyRows.map((r) => r.step));
    assert.equal(policyRows.filter((r) => r.step === last && typeof r.greedy_rm_score === "number").at(-1)?.greedy_rm_score, Number(byId.policy!.greedy_rm_score!.toPrecision(6)));
    const rmRows = run.readMetrics().filter((r) => r.stage === "rm" && typeof r.heldout_accuracy === "number");
    assert.deepEqual(rmRows.map((r) => r.heldout_accuracy), [byId.rm!.heldout_accuracy_before, byId.rm!.heldout_accuracy].map((v) => Number(v!.toPrecision(6))));
    // beside it, length alone on the same held-out pairs: the rm_accuracy eval's figure, to the bit
    assert.equal(typeof byId.rm!.heldout_accuracy_length_baseline, "number");
    assert.equal(byId.rm!.heldout_accuracy_length_baseline, byId.rm_acc!.length_baseline);
    // … and in the two rows of its curve in metrics.jsonl (figures38 #11: the summary had it, the rows not)
    assert.deepEqual(rmRows.map((r) => r.heldout_accuracy_length_baseline), [0, 1].map(() => Number(byId.rm!.heldout_accuracy_length_baseline!.toPrecision(6))));
    const steps = policyRows.filter((r) => r.step > 0 && typeof r.greedy_rm_score !== "number");
    assert.ok(steps.length > 0 && steps.every((r) => typeof r.reward === "number" && typeof r.kl === "number"));
    const samples = run.readSamples().filter((s) => s.eval === "judge");
    assert.equal(samples.length, 8);
    assert.ok(samples.every((s) => s.a?.model === "policy" && s.b?.model === "sft" && typeof s.a.score === "number"));
    // the RM judge is the reward PPO optimised: said beside its samples (and figure), the rule judge's not
    assert.ok(samples.every((s) => s.judge_note === "the reward policy optimised: not an independent judge"));
    assert.ok(run.readSamples().filter((s) => s.eval === "rule").every((s) => s.judge_note === undefined));
    const html = readFileSync(join(cold.runDir, "report.html"), "utf8");
    assert.ok(html.includes('aria-label="policy: reward"') && html.includes('aria-label="policy: KL"'));
    // "held out" checked, not assumed (test/run/contamination.test.ts: a recipe whose held-out texts leak)
    const c = cold.manifest.contamination!;
    assert.deepEqual([c.leaks, c.pairs, c.notChecked], [0, [], []]);
    for (const b of ["pre", "sft", "rm", "judge", "rule", "zs", "held", "rm_acc"]) assert.ok(c.checked.includes(b), `${b} checked: ${c.checked}`);
    assert.ok(!c.checked.includes("policy"), "PPO holds nothing out");
    assert.ok(html.includes("Held out, checked") && html.includes("its held-out split, held out (checked)"));
    assert.ok(html.includes("its own training prompts (a probe: not held out)"), "PPO's before → after is never called held out");
    assert.equal(cold.manifest.backend.split(" ")[0] !== "auto", true, `a backend was selected: ${cold.manifest.backend}`);

    const again = outcome(await runRecipe(recipe, paths));
    assert.equal(again.exitCode, 0);
    assert.deepEqual(Object.values(statuses(again.manifest)), STAGES_AND_EVALS.map(() => "cached"));
    assert.match(again.manifest.backend, /not loaded/);
    assert.deepEqual(again.manifest.expectations.map((e) => e.ok), [true, true]);

    const kl = outcome(await runRecipe(writeMicro(dir, { klCoef: 0.3, name: "micro_kl" }), paths));
    assert.deepEqual(statuses(kl.manifest), { pre: "cached", sft: "cached", rm: "cached", policy: "computed", rm_acc: "cached", judge: "computed", rule: "computed", zs: "cached", held: "cached" });
  } finally {
    cleanup();
  }
});

test("Ctrl-C during PPO: exit 130 with a checkpoint; the re-run resumes and ends with the same weights as an uninterrupted run", async () => {
  const { dir, cleanup } = tempDir();
  try {
    // 6 PPO steps: the stop comes at step 2 or 3 (below), so the resumed run still trains 3 or more
    // steps and logs their rows; the 12 this test had only made the resumed and the straight run longer
    const recipe = writeMicro(dir, { policySteps: 6, name: "micro_long" });
    const runsDir = join(dir, "runs");
    const cacheRoot = join(dir, "cache");
    // the child waits after step 2 of PPO until told to go on, so the SIGINT sent meanwhile lands inside
    // PPO however slow this process is to answer: the signal is pending before the child goes on, and
    // the stage yields to signals before its next step (yieldToSignals), so it stops at step 2 or 3
    // (the bound below leaves room: any checkpoint before the last step shows an exact resume)
    const child = spawnFixture("interrupt-run", [recipe, runsDir, cacheRoot, "policy 2"], {}, "pipe");
    await waitForLine(child, "step policy 2");
    child.kill("SIGINT");
    child.stdin!.end("\n");
    const { code } = await exited(child);
    assert.equal(code, 130);
    const interrupted = RunDir.open(join(runsDir, (await import("node:fs")).readdirSync(runsDir)[0]!)).readManifest();
    assert.equal(interrupted.status, "interrupted");
    const p = interrupted.nodes.find((n) => n.id === "policy")!;
    assert.equal(p.status, "interrupted");
    const cache = new StageCache(cacheRoot);
    assert.equal(cache.get(p.hash), null, "no entry for the unfinished stage");
    const ck = cache.latestCheckpoint(p.hash);
    assert.ok(ck && ck.step >= 2 && ck.step < 6, `checkpoint ${ck?.step}`);
    const saved = join(dir, "checkpoint-copy");
    cpSync(ck.dir, saved, { recursive: true });

    // a checkpoint damaged since it was written: an error naming it and the way out (it was a bare
    // "Unexpected end of JSON input"), and --force computes the node anew rather than resuming from it
    writeFileSync(join(ck.dir, "progress.json"), '{"history":[');
    const damaged = await runRecipe(recipe, { runsDir, cacheRoot, progress: quiet, workers: 1 });
    assert.ok(damaged.ok && damaged.outcome.exitCode === 1);
    assert.match(damaged.outcome.error?.message ?? "", new RegExp(`checkpoint .*${ck.dir.split("/").at(-1)} is damaged \\(progress\\.json: .*--force`));
    // damage of the same size: one bit of the trainer state flipped. It parsed, trained on and was
    // stored under the node's hash as if uninterrupted (audit33 M1); held to the sha256 written with it
    cpSync(saved, ck.dir, { recursive: true });
    const state = join(ck.dir, STATE_FILE);
    const bytes = readFileSync(state);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(state, bytes);
    const flipped = await runRecipe(recipe, { runsDir, cacheRoot, progress: quiet, workers: 1 });
    assert.ok(flipped.ok && flipped.outcome.exitCode === 1);
    assert.match(flipped.outcome.error?.message ?? "", new RegExp(`checkpoint .*${ck.dir.split("/").at(-1)} is damaged \\(${STATE_FILE.replace(".", "\\.")}: ${bytes.length} bytes with sha256 [0-9a-f]{12}…, where ${bytes.length} bytes with sha256 [0-9a-f]{12}… were written\\); run with --force`));
    assert.equal(cache.get(p.hash), null, "nothing stored");
    const straight = outcome(await runRecipe(recipe, { runsDir, cacheRoot, progress: quiet, workers: 1, force: ["policy"] }));
    assert.equal(straight.exitCode, 0);
    const sp = straight.manifest.nodes.find((n) => n.id === "policy")!;
    assert.equal(sp.status, "computed", "forced: from step 0, not from the damaged checkpoint");
    assert.equal(sp.resumedFromStep, undefined);
    const shaStraight = cache.get(p.hash)!.meta.files["model.safetensors"]!.sha256;

    // the undamaged checkpoint back, the entry removed: the run resumes from it
    cache.remove(p.hash);
    cpSync(saved, ck.dir, { recursive: true });
    const resumed = outcome(await runRecipe(recipe, { runsDir, cacheRoot, progress: quiet, workers: 1 }));
    assert.equal(resumed.exitCode, 0);
    const rp = resumed.manifest.nodes.find((n) => n.id === "policy")!;
    assert.equal(rp.status, "resumed");
    assert.equal(rp.resumedFromStep, ck.step);
    const resumedRows = RunDir.open(resumed.runDir).readMetrics().filter((r) => r.stage === "policy");
    assert.ok(resumedRows.some((r) => r.step <= ck.step), "the rows before the checkpoint are kept (issue 15)");
    assert.equal(cache.get(p.hash)!.meta.files["model.safetensors"]!.sha256, shaStraight, "resumed weights equal uninterrupted weights");
    // and the same recorded metrics: every row and the summary, but for wall-clock fields (issue 15)
    const timeless = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !/time|per_s|cached/.test(k)));
    const straightRows = RunDir.open(straight.runDir).readMetrics().filter((r) => r.stage === "policy");
    assert.deepEqual(resumedRows.map(timeless), straightRows.map(timeless));
    assert.deepEqual(timeless(rp.summary ?? {}), timeless(straight.manifest.nodes.find((n) => n.id === "policy")!.summary ?? {}));
    assert.ok(existsSync(join(straight.runDir, "report.html")));
  } finally {
    cleanup();
  }
});

test("an unavailable or unknown backend is an error before anything is written", async (t) => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir);
    const runsDir = join(dir, "runs");
    const unknown = await runRecipe(recipe, { runsDir, cacheRoot: join(dir, "cache"), progress: quiet, backend: "gpu" });
    assert.ok(!unknown.ok && /--backend gpu: choose one of/.test(unknown.message ?? ""));
    let native = false;
    try {
      await import("@tensorflow/tfjs-node" as string);
      native = true;
    } catch {
      /* not installed: the usual case on CPU machines */
    }
    if (native) {
      t.diagnostic("@tensorflow/tfjs-node is installed here: the unavailable-backend case cannot be shown");
    } else {
      const r = await runRecipe(recipe, { runsDir, cacheRoot: join(dir, "cache"), progress: quiet, backend: "tensorflow" });
      assert.ok(!r.ok && /backend "tensorflow" is not available.*npm install @tensorflow\/tfjs-node/.test(r.message ?? ""), r.ok ? "ran" : (r.message ?? ""));
    }
    assert.ok(!existsSync(runsDir), "no run directory");
  } finally {
    cleanup();
  }
});
