// Ctrl-C during `alignc test --update --no-run`: each recipe is only checked and planned, synchronous
// work that never turned the event loop, so the Ctrl-C was read after the last recipe (or dropped with
// the handler): every golden was rewritten and the exit was 0. It must stop after the recipe it is on,
// exit 130, and leave no temp file among the recipes. Its message said "saving a checkpoint", though
// nothing trains with --no-run; and SIGHUP (a closed terminal) killed it by the default action.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { signalAt } from "../cli/signal-at.js";

const tmp = mkdtempSync(join(tmpdir(), "alignc-test-interrupt-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const N = 40;
const RECIPE = (i: number) =>
  `recipe r${i} { seed = ${i} }\ntokenizer c = byte_level {}\nmodel m = gpt { tokenizer = c  layers = 1  d_model = 32  heads = 2  context = 64 }\nstage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  batch_size = 2 }\n`;

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  test(`${sig} while test --update --no-run writes the first golden: stops there, exit ${sig === "SIGHUP" ? "by SIGHUP (129)" : 130}; says what it does`, async () => {
    const d = mkdtempSync(join(tmp, `${sig}-`));
    writeFileSync(join(d, "corpus.txt"), "a b c\n".repeat(20));
    for (let i = 0; i < N; i++) writeFileSync(join(d, `r${String(i).padStart(2, "0")}.align`), RECIPE(i));
    const r = await signalAt(["test", ".", "--update", "--no-run"], { cwd: d, watchDir: d, when: (n) => n.includes(".plan.json.tmp-"), signals: [sig] });
    assert.ok(r.fired, "a golden was being written when the signal came");
    if (sig === "SIGHUP") assert.ok(r.code === null && r.signal === "SIGHUP", `exit ${r.code} ${r.signal}: ${r.stderr}`);
    else assert.equal(r.code, 130, `exit ${r.code} ${r.signal}: ${r.stderr}`);
    // nothing trains with --no-run: it said "saving a checkpoint" before
    assert.match(r.stderr, /: stopping once the recipe being checked is done and its golden plan written/);
    assert.doesNotMatch(r.stderr, /checkpoint/);
    const goldens = readdirSync(d).filter((n) => n.endsWith(".plan.json"));
    assert.ok(goldens.length >= 1 && goldens.length <= 2, `stopped after the recipe it was on, not after ${goldens.length} of ${N}`);
    assert.deepEqual(readdirSync(d).filter((n) => n.includes(".tmp-")), [], "no temp file left");
  });
}
