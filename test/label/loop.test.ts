// The done-when, in real headless Chromium (playwright-core with Debian's chromium; skips
// without it), with the CLI as a person would use it on the micro fixture (test/label/fixtures/
// label-loop.align): `alignc label` trains SFT and draws its samples, every set is labeled by keyboard
// alone, and `alignc run` trains a reward model on those labels (and PPO on that reward model),
// reusing the SFT that the labeling trained.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "../repo-root.js";
import { exited, loopFixture, shownSet, startChild } from "./fixture.js";

declare const document: any; // inside page.waitForFunction callbacks, which run in the page
const CHROMIUM = process.env.ALIGNC_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const BIN = join(repoRoot(), "bin", "alignc.js");

const jsonLines = (file: string): any[] => readFileSync(file, "utf8").split("\n").filter((l) => l).map((l) => JSON.parse(l));

test("the loop: alignc label trains SFT and serves its samples, labeled by keyboard only; alignc run trains the reward model on the labels", async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found (apt-get install chromium; .ci/run installs it)`);
    return;
  }
  const { chromium } = await import("playwright-core");
  const fx = loopFixture();
  const env = { ...process.env, ALIGNC_CACHE: join(fx.dir, "runs", ".cache") };
  const srv = await startChild(fx.dir, undefined, "label-loop.align", env);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  try {
    assert.match(srv.stderr(), /`cands` drawn \(computed: sft, cands;/, "the labeling ran SFT and drew its samples");
    const candidates = jsonLines(join(fx.dir, "runs", ".cache", readdirSync(join(fx.dir, "runs", ".cache")).find((d) => existsSync(join(fx.dir, "runs", ".cache", d, "candidates.jsonl")))!, "candidates.jsonl"));
    assert.ok(candidates.length >= 2, `${candidates.length} sets drawn`);

    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
    const key = (k: string) => page.keyboard.press(k);
    await page.goto(srv.url);
    await page.waitForSelector("#who-name");
    await page.keyboard.type("kim");
    await key("Enter");
    let previous = "";
    for (let n = 1; n <= candidates.length; n++) {
      // the page is ready for keys once the next set is shown and no submission is in flight (keys pressed
      // while the last one is saved are ignored; waiting for the old cards alone raced with that under load)
      previous = await shownSet(page, previous);
      const before = await page.textContent("#prompt");
      assert.ok(candidates.some((c) => c.prompt === before), "the page shows a drawn prompt");
      // rate the four responses 7, 5, 3, 1 (the ranking follows the ratings) and submit, keys only
      for (const k of ["7", "ArrowDown", "5", "ArrowDown", "3", "ArrowDown", "1", "Control+Enter"]) await key(k);
      await page.waitForFunction((k) => document.querySelector("#progress-text")!.textContent!.includes(`${k} labeled`), n);
    }
    await page.waitForFunction(() => !document.querySelector("#done")!.hasAttribute("hidden"));
    assert.deepEqual(problems, []);

    const labels = jsonLines(fx.labels);
    assert.equal(labels.length, candidates.length);
    const byId = new Map(candidates.map((c) => [c.id, c]));
    for (const l of labels) {
      assert.equal(l.ranking, "A > B > C > D");
      assert.ok(byId.has(l.set), "the set id is the drawn set's");
      assert.equal(l.model, byId.get(l.set).model, "the model hash is the sampled stage's");
      assert.deepEqual(l.responses, byId.get(l.set).responses);
    }
    srv.child.kill("SIGINT");
    assert.equal(await exited(srv.child), 130);

    // the recipe now reads the labels: SFT and the draw come from the cache, the reward model trains on them
    const run = spawnSync(process.execPath, [BIN, "run", "--workers", "1", "label-loop.align"], { cwd: fx.dir, env, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /^ {2}sft +cached /m);
    assert.match(run.stdout, /^ {2}cands +cached /m);
    assert.match(run.stdout, /^ {2}rm +computed /m);
    assert.match(run.stdout, /^ {2}policy +computed /m);
    const runDir = /^run: (.+)$/m.exec(run.stdout)![1]!;
    const plan = JSON.parse(readFileSync(resolve(fx.dir, runDir, "plan.json"), "utf8")) as { nodes: { id: string; files: { sha256: string }[] }[] };
    const labeled = plan.nodes.find((n) => n.id === "labeled")!;
    assert.equal(labeled.files[0]!.sha256, createHash("sha256").update(readFileSync(fx.labels)).digest("hex"), "the reward model's data is the labels file as labeled");
    t.diagnostic(run.stdout.split("\n").filter((l) => /^ {2}(rm|policy) /.test(l)).join(" | "));
  } finally {
    await browser.close();
    if (srv.child.exitCode === null && srv.child.signalCode === null) {
      srv.child.kill("SIGINT");
      await exited(srv.child);
    }
    fx.cleanup();
  }
});
