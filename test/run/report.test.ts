import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { writeReport, renderReport } from "../../src/run/presentation/report.js";
import { linePlot } from "../../src/run/presentation/svg.js";
import { tempDir } from "./helpers.js";
import { makeRun } from "./fakerun.js";

const CHROMIUM = process.env.ALIGNC_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

test("linePlot: a path per series; empty input says no data; non-finite points dropped", () => {
  const svg = linePlot("loss", [{ name: "loss", points: [[1, 2], [2, 1], [3, NaN]] }]);
  assert.equal((svg.match(/<path /g) ?? []).length, 1);
  assert.match(svg, /d="M[\d.]+,[\d.]+L[\d.]+,[\d.]+"/);
  assert.match(linePlot("x", []), /no data/);
  assert.match(linePlot("a<b", []), /a&lt;b/);
});

test("report.html holds plots per stage, the samples table (escaped) and the plan", () => {
  const { dir, cleanup } = tempDir();
  try {
    const run = makeRun(dir);
    const html = renderReport(run);
    for (const title of ["sft: loss", "policy: reward", "policy: KL", "rm: accuracy"]) assert.ok(html.includes(`aria-label="${title}"`), title);
    assert.ok(!html.includes("val_loss_during:"), "no val_loss curve, no note on it");
    run.appendMetric({ stage: "sft", step: 1, time: 0.1, val_loss_during: 2 });
    assert.match(renderReport(run), /val_loss_during: on the first 32 held-out sequences, or all where there are fewer \(the same ones at every step\); the stage's summary's val_loss \(the table above\): on the first 256, or all/);
    assert.ok(html.includes("Uppercase &lt;b&gt;cat&lt;/b&gt;"));
    assert.ok(!html.includes("<b>cat</b>"));
    assert.match(html, /plan\.json/);
    assert.match(html, /win_rate 0\.6/);
    // a judge that is the reward a compared stage optimised is said in the Evaluations table too (audit 32)
    run.appendSample({ eval: "judge", judge: "rm", judge_note: "the reward policy optimised: not an independent judge", prompt: "p", a: { model: "policy", text: "x" }, b: { model: "sft", text: "y" }, winner: "tie" });
    const evalsTable = renderReport(run).split("<h2>Evaluations</h2>")[1]!.split("<h2>")[0]!;
    assert.match(evalsTable, /win rate 0\.6 .*<small>\(the reward policy optimised: not an independent judge\)<\/small>/s);
    // and in the plan table's final metrics (they were bare there: figuresP41)
    const planTable = renderReport(run).split("<h2>Plan</h2>")[1]!;
    assert.match(planTable, /win_rate 0\.6[^<]*<small>\(the reward policy optimised: not an independent judge\)<\/small>/);
    // a sample asked with a system text shows it above its prompt (escaped), as the model was asked
    run.appendSample({ eval: "judge", judge: "rm", system: "Be <brief>.", prompt: "q", a: { model: "policy", text: "x" }, b: { model: "sft", text: "y" }, winner: "tie" });
    assert.match(renderReport(run), /<small>system: Be &lt;brief&gt;\.<\/small><pre>q<\/pre>/);
    // a hand-edited row whose system or winner is not text renders as text (a TypeError, unlocated: audit35 M4)
    run.appendSample({ eval: "judge", judge: "rm", system: 5 as unknown as string, prompt: "r", a: { model: "policy", text: "x" }, b: { model: "sft", text: "y" }, winner: 7 as unknown as "tie" });
    assert.match(renderReport(run), /<small>system: 5<\/small><pre>r<\/pre>/);
    // and one whose model is a number names it as text (a TypeError: reviewR42 L1)
    run.appendSample({ eval: "judge2", judge: "rm", prompt: "s", a: { model: 7 as unknown as string, text: "x" }, b: { model: "sft", text: "y" }, winner: "a" });
    assert.match(renderReport(run).split("<h3>judge2")[1]!, /<th>7<\/th>/);
    // the rule judge's samples show the reference as the rule reads it: a reference written after the
    // preamble is judged as its concise answer (LIMA's samples showed "Sure! Here is 4" above a winning "4")
    run.appendSample({ eval: "rule_judge", judge: "rule", prompt: "2+2?", a: { model: "policy", text: "4" }, b: { model: "sft", text: "Sure! Here is 4" }, winner: "a", reference: "Sure! Here is 4" });
    const ruled = renderReport(run).split("<h3>rule_judge")[1]!;
    assert.match(ruled, /<th>reference \(as the rule reads it\)<\/th>.*<td><pre>2\+2\?<\/pre><\/td><td><pre>4<\/pre><\/td>/s);
    // an accuracy eval's samples show the baseline's constant answer beside the model's
    run.appendSample({ eval: "acc", task: "addition", prompt: "1+1?", a: { model: "sft", text: "2" }, reference: "2", constant: "15", correct: true });
    assert.match(renderReport(run).split("<h3>acc")[1]!, /<th>the constant \(baseline\)<\/th>.*<td><pre>15<\/pre><\/td><\/tr>/s);
    // an RM judge's samples keep the reference as written
    assert.match(renderReport(run).split("<h3>judge")[1]!.split("<h3>")[0]!, /<th>reference<\/th>/);
  } finally {
    cleanup();
  }
});

test("report renders in headless Chromium: every plot has a visible line", async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found (apt-get install chromium; .ci/run installs it)`);
    return;
  }
  const { chromium } = await import("playwright-core");
  const { dir, cleanup } = tempDir();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  try {
    const run = makeRun(dir);
    const path = writeReport(run.path);
    assert.ok(readFileSync(path, "utf8").startsWith("<!doctype html>"));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(path).href);
    const plots = await page.$$eval("svg.plot", (svgs) =>
      svgs.map((s) => {
        const box = s.getBoundingClientRect();
        const paths = [...s.querySelectorAll("path.series")].map((p) => {
          // no DOM lib in tsconfig: the SVG path methods typed structurally
          const path = p as unknown as { getBBox(): { width: number; height: number }; getTotalLength(): number };
          const b = path.getBBox();
          return { w: b.width, h: b.height, len: path.getTotalLength() };
        });
        return { label: s.getAttribute("aria-label"), w: box.width, h: box.height, paths };
      }),
    );
    assert.ok(plots.length >= 5, `plots: ${plots.length}`);
    for (const p of plots) {
      assert.ok(p.w > 100 && p.h > 100, `${p.label} is ${p.w}x${p.h}`);
      assert.ok(p.paths.length >= 1 && p.paths.every((q) => q.len > 10), `${p.label} has no visible line`);
    }
    assert.deepEqual(errors, []);
    const rows = await page.$$eval("table tr", (trs) => trs.length);
    assert.ok(rows > 3);
  } finally {
    await browser.close();
    cleanup();
  }
});

test("an eval's shown samples take each task in turn: no task is crowded out by the first one's", async () => {
  const { samplesShown } = await import("../../src/run/presentation/report.js");
  const rows = ["addition", "sentiment", "uppercase"].flatMap((task) => [1, 2, 3, 4, 5].map((i) => ({ eval: "zs", task, prompt: `${task} ${i}` })));
  const shown = samplesShown(rows);
  assert.deepEqual(shown.map((r) => r.task).slice(0, 3), ["addition", "sentiment", "uppercase"]);
  for (const t of ["addition", "sentiment", "uppercase"]) assert.equal(shown.filter((r) => r.task === t).length, 3, t);
  assert.equal(samplesShown(rows.filter((r) => r.task === "addition")).length, 5, "one task: the first 8 (all 5)");
});

test("each eval's figure is shown with its baseline, counts and p-value", async () => {
  const { evalHeadline } = await import("../../src/run/presentation/eval-headline.js");
  const acc = evalHeadline("eval.accuracy", { accuracy: 0.62, baseline: 0.4, n: 48, "accuracy/sentiment": 0.7, "baseline/sentiment": 0.5, "n/sentiment": 24 });
  assert.match(acc, /accuracy 0\.62 vs baseline 0\.4 \(each task's best constant answer\), n 48; sentiment 0\.7 \(baseline 0\.5, n 24\)/);
  const wr = evalHeadline("eval.win_rate", { win_rate: 0.59, ci_low: 0.53, ci_high: 0.64, wins: 70, ties: 214, losses: 16, n: 300, p_value: 3.2e-9 });
  assert.match(wr, /W70 \/ T214 \/ L16 of 300, sign test p 3\.2e-9/);
  assert.doesNotMatch(wr, /answers of nothing/);
  // an RM judge that scored answers of nothing above real ones says how many of its wins they are (figures38 #1)
  const hacked = evalHeadline("eval.win_rate", { win_rate: 0.785, ci_low: 0.71, ci_high: 0.84, wins: 67, ties: 23, losses: 10, n: 100, p_value: 1.7e-11, empty_a: 30, empty_b: 0, empty_a_wins: 30, empty_b_wins: 0 });
  assert.match(hacked, /sign test p 1\.7e-11; answers of nothing: a 30 \(30 of them wins\), b 0 \(0\)/);
  const rule = evalHeadline("eval.win_rate", { win_rate: 0.55, ci_low: 0.5, ci_high: 0.6, wins: 3, ties: 4, losses: 1, n: 8, p_value: 0.62, ties_both_right: 3, ties_both_wrong: 1, correctness_wins: 2, correctness_losses: 1, style_wins: 1, style_losses: 0, form_wins: 0, form_losses: 0, "wins/addition": 3, "ties/addition": 1, "losses/addition": 0, "wins/sentiment": 0, "ties/sentiment": 3, "losses/sentiment": 1 });
  assert.match(rule, /W3 \/ T4 \/ L1 of 8 \(ties: both right 3, both wrong 1; decided by correctness W2\/L1, by style W1\/L0, by form W0\/L0\), sign test p 0\.62; per task addition W3\/T1\/L0, sentiment W0\/T3\/L1$/);
  // per task, where answers were fixed and broken and where the style wins were taken and left (styleS40)
  const perTask = evalHeadline("eval.win_rate", { win_rate: 0.55, ci_low: 0.5, ci_high: 0.6, wins: 3, ties: 4, losses: 1, n: 8, p_value: 0.62, "wins/addition": 3, "ties/addition": 1, "losses/addition": 0, "correctness_wins/addition": 2, "correctness_losses/addition": 0, "style_wins/addition": 1, "style_losses/addition": 0, "preamble_b/addition": 3, "wins/sentiment": 0, "ties/sentiment": 3, "losses/sentiment": 1, "correctness_wins/sentiment": 0, "correctness_losses/sentiment": 1, "style_wins/sentiment": 0, "style_losses/sentiment": 0, "preamble_b/sentiment": 0 });
  assert.match(perTask, /; per task addition W3\/T1\/L0 \(correctness 2\/0; style 1\/0, b right after the preamble 3\), sentiment W0\/T3\/L1 \(correctness 0\/1; style 0\/0, b right after the preamble 0\)$/);
  // with each side's right answers: how far style alone (b's preambles dropped) could carry a
  const styled = evalHeadline("eval.win_rate", { win_rate: 0.55, ci_low: 0.5, ci_high: 0.6, wins: 3, ties: 4, losses: 1, n: 8, p_value: 0.62, ties_both_right: 3, ties_both_wrong: 1, correctness_wins: 2, correctness_losses: 1, style_wins: 1, style_losses: 0, form_wins: 0, form_losses: 0, right_a: 5, right_b: 4, preamble_a: 0, preamble_b: 1, style_alone_win_rate: 0.5625 });
  assert.match(styled, /by form W0\/L0; right a 5 \(0 after the preamble\), b 4 \(1\): by style alone at most 0\.5625\), sign test p 0\.62$/);
  // alignc run's closing summary: one line per eval, the counts kept, the per-task figures left to the report
  const line = evalHeadline("eval.win_rate", { win_rate: 0.55, ci_low: 0.5, ci_high: 0.6, wins: 3, ties: 4, losses: 1, n: 8, p_value: 0.62, "wins/addition": 3, "ties/addition": 1, "losses/addition": 0 }, { perTask: false });
  assert.match(line, /W3 \/ T4 \/ L1 of 8, sign test p 0\.62$/);
  // the first n of a longer split is said beside the figure, in the report too (it was said only on the console)
  const part = evalHeadline("eval.win_rate", { win_rate: 0.55, ci_low: 0.5, ci_high: 0.6, wins: 3, ties: 4, losses: 1, n: 8, p_value: 0.62, split_size: 10 }, { perTask: false });
  assert.match(part, /W3 \/ T4 \/ L1 of 8 \(the first of 10 prompts, in split order\), sign test p 0\.62$/);
  assert.doesNotMatch(evalHeadline("eval.win_rate", { win_rate: 0.55, n: 8, split_size: 8 }), /the first of/, "the whole split: nothing to say");
  assert.match(evalHeadline("eval.accuracy", { accuracy: 0.5, baseline: 0.4, n: 48, split_size: 60 }), /, n 48 \(the first of 60 examples, in split order\)$/);
  assert.match(evalHeadline("eval.lm_loss", { loss: 1.2, baseline: 2.9, n: 256, split_size: 300 }), /^loss 1\.2 nats\/token on 256 sequences \(the first of 300 sequences, in split order\) vs baseline 2\.9/);
  const rm = evalHeadline("eval.rm_accuracy", { accuracy: 0.9, pooled_accuracy: 0.91, pairs: 100, groups: 10, correctness_accuracy: 0.8, correctness_pairs: 30 });
  assert.match(rm, /^accuracy 0\.9 \(chance 0\.5; /);
  assert.match(rm, /0\.8 on the 30 pairs that differ in correctness/);
  const rmTasks = evalHeadline("eval.rm_accuracy", { accuracy: 0.9, pooled_accuracy: 0.91, pairs: 100, groups: 10, correctness_accuracy: 0.8, correctness_pairs: 30, "accuracy/a": 1, "pairs/a": 60, "correctness_pairs/a": 30, "correctness_accuracy/a": 0.8, "accuracy/b": 0.7, "pairs/b": 40, "correctness_pairs/b": 0 });
  assert.match(rmTasks, /; per task a 1 on 60 pairs \(0\.8 on 30 differing in correctness\); b 0\.7 on 40 pairs \(no pair differs in correctness\)$/);
  const rmStyle = evalHeadline("eval.rm_accuracy", { accuracy: 0.9, pooled_accuracy: 0.91, pairs: 100, groups: 10, correctness_accuracy: 0.8, correctness_pairs: 30, style_accuracy: 0.75, style_pairs: 20, style_length_baseline: 1, "accuracy/a": 1, "pairs/a": 60, "correctness_pairs/a": 30, "correctness_accuracy/a": 0.8, "style_pairs/a": 20, "style_accuracy/a": 0.75, "accuracy/b": 0.7, "pairs/b": 40, "correctness_pairs/b": 0, "style_pairs/b": 0 });
  assert.match(rmStyle, /; style 0\.75 on the 20 pairs of one right answer, concise against after the preamble \(chance 0\.5, length alone 1\); per task a 1 on 60 pairs \(0\.8 on 30 differing in correctness; style 0\.75 on 20\); b 0\.7 on 40 pairs \(no pair differs in correctness\)$/);
  // and each task's figures beside its own length-alone order (figuresP41 M4)
  const rmAlone = evalHeadline("eval.rm_accuracy", { accuracy: 0.9, pooled_accuracy: 0.91, pairs: 100, groups: 10, "accuracy/a": 1, "pairs/a": 60, "length_baseline/a": 0.55, "correctness_pairs/a": 30, "correctness_accuracy/a": 0.8, "correctness_length_baseline/a": 0.6, "style_pairs/a": 20, "style_accuracy/a": 0.75, "style_length_baseline/a": 1, "accuracy/b": 0.7, "pairs/b": 40, "correctness_pairs/b": 0 });
  assert.match(rmAlone, /; per task a 1 on 60 pairs \(length alone 0\.55\) \(0\.8 on 30 differing in correctness \(length alone 0\.6\); style 0\.75 on 20 \(length alone 1\)\); b 0\.7 on 40 pairs/);
  const lm = evalHeadline("eval.lm_loss", { loss: 1.2, baseline: 2.9, n: 45 });
  assert.match(lm, /loss 1\.2 nats\/token on 45 sequences vs baseline 2\.9 \(best constant distribution\)/);
});

test("a stage's before → after figures stand beside their baselines", async () => {
  const { stageGains } = await import("../../src/run/presentation/report.js");
  assert.deepEqual(stageGains({ val_loss_before: 3.8, val_loss: 0.3, val_loss_baseline: 3.15 }), ["val_loss 3.8 → 0.3 (best constant distribution 3.15)"]);
  assert.deepEqual(stageGains({ heldout_accuracy_before: 0.58, heldout_accuracy: 0.75 }), ["heldout_accuracy 0.58 → 0.75 (chance 0.5)"]);
  assert.deepEqual(stageGains({ heldout_accuracy_before: 0.58, heldout_accuracy: 0.75, heldout_accuracy_length_baseline: 0.51 }), ["heldout_accuracy 0.58 → 0.75 (chance 0.5, length alone 0.51)"]);
  // PPO's probe: its greedy rule score beside the paired counts and sign test (audit 32: a gain shown bare, p 0.092)
  assert.deepEqual(
    stageGains({ greedy_rule_score_before: 0.6797, greedy_rule_score: 0.7266, greedy_rule_wins: 10, greedy_rule_ties: 51, greedy_rule_losses: 3, greedy_rule_p_value: 0.0923, reward_start: 7.2, reward: 7.9 }),
    // the sampled reward's first → last tenth is no before → after: rollouts of other prompts, noise as large as the change (figures38 #7)
    ["greedy_rule_score 0.6797 → 0.7266 (probe W10/T51/L3, sign test p 0.0923)"],
  );
  // a small p prints as the console prints it (fmtP: two digits below 0.001), not 1.15e-11 beside its 1.2e-11
  assert.deepEqual(stageGains({ greedy_rule_score_before: 0.6, greedy_rule_score: 0.8, greedy_rule_wins: 60, greedy_rule_ties: 4, greedy_rule_losses: 0, greedy_rule_p_value: 1.15e-11 }), [
    "greedy_rule_score 0.6 → 0.8 (probe W60/T4/L0, sign test p 1.2e-11)",
  ]);
});

test("writeReport replaces only a report alignc wrote: a user's file, a symlink, a FIFO or a folder at report.html is refused and left as it is", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { writeFileSync, symlinkSync, mkdirSync, readlinkSync, rmSync, lstatSync } = await import("node:fs");
    const { spawnSync } = await import("node:child_process");
    const { join } = await import("node:path");
    const run = makeRun(dir);
    const p = writeReport(run.path);
    writeReport(run.path); // its own report: rewritten
    // a report the user annotated is theirs now: refused, the note kept (it was overwritten, exit 0)
    const own = readFileSync(p, "utf8");
    assert.match(own, /<\/body><\/html>\n<!-- alignc report sha256 [0-9a-f]{64} -->\n$/);
    for (const annotated of [own + "<!-- my analysis -->\n", own.replace("<body>", "<body><p>my note</p>")]) {
      writeFileSync(p, annotated);
      assert.throws(() => writeReport(run.path), /report\.html is a file alignc did not write \(or one changed since\), not a report of this run: left as it is/);
      assert.equal(readFileSync(p, "utf8"), annotated);
    }
    writeFileSync(p, own.replace(/<!-- alignc report sha256 [0-9a-f]{64} -->\n$/, "")); // a report from before seals: still alignc's
    writeReport(run.path);
    assert.equal(readFileSync(p, "utf8"), own);
    const mine = "my notes, not a report";
    writeFileSync(p, mine);
    assert.throws(() => writeReport(run.path), /report\.html is a file alignc did not write \(or one changed since\), not a report of this run: left as it is/);
    assert.equal(readFileSync(p, "utf8"), mine);
    rmSync(p);
    writeFileSync(join(dir, "elsewhere.txt"), "theirs");
    symlinkSync(join(dir, "elsewhere.txt"), p);
    assert.throws(() => writeReport(run.path), /is a symbolic link/);
    assert.equal(readlinkSync(p), join(dir, "elsewhere.txt"));
    rmSync(p);
    mkdirSync(p);
    assert.throws(() => writeReport(run.path), /is a folder/);
    rmSync(p, { recursive: true });
    if (spawnSync("mkfifo", [p]).status === 0) {
      assert.throws(() => writeReport(run.path), /is a special file/);
      assert.ok(lstatSync(p).isFIFO());
    }
  } finally {
    cleanup();
  }
});
