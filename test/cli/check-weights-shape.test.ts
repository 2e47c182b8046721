// `alignc check` holds a model's weights file to its block as `alignc plan` does (AL4023 at `weights`),
// reading the file's safetensors header alone: neither TensorFlow.js nor the training engine is loaded.
// Only plan and run raised it, so a recipe that checked clean failed at its first plan.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { encodeSafetensors } from "../../src/train/safetensors.js";
import { repoRoot } from "../repo-root.js";
import { makeTracer, traced } from "./module-trace.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-check-weights-"));
const tracer = makeTracer();
after(() => {
  tracer.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

/** An alignc checkpoint's header (config metadata) for a 1-layer, d_model 32 network; one tiny tensor. */
function checkpoint(file: string): void {
  const config = { vocabSize: 259, context: 64, layers: 1, dModel: 32, heads: 2 };
  writeFileSync(file, encodeSafetensors(new Map([["w", { shape: [1], data: new Float32Array([0]) }]]), { format: "alignc-gpt-1", config: JSON.stringify(config) }));
}

function recipe(name: string, model: string): string {
  writeFileSync(join(tmp, "corpus.txt"), "some text to train on\n".repeat(20));
  const text = `recipe ${name} { seed = 3 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = ${model}  d_model = 32  heads = 2  context = 64  weights = safetensors("w.safetensors") }
stage pre = pretrain { init = tiny  data = text("corpus.txt")  steps = 2  batch_size = 2 }
`;
  writeFileSync(join(tmp, `${name}.align`), text);
  return `${name}.align`;
}

const alignc = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: join(tmp, ".cache") } });

test("alignc check: a weights file of another shape is AL4023 at `weights`, as plan says it; the same shape checks clean", () => {
  checkpoint(join(tmp, "w.safetensors"));
  const bad = recipe("bad", "2");
  for (const flags of [[], ["--no-leaks"]]) {
    const r = alignc("check", ...flags, bad);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^bad\.align:3:\d+: error AL4023: .*model `tiny`: w\.safetensors has another shape \(layers: the file has 1, the plan 2\)/m);
  }
  const plan = alignc("plan", bad);
  assert.equal(plan.status, 1);
  const line = (s: string) => s.split("\n").find((l) => l.includes("AL4023"));
  assert.equal(line(alignc("check", bad).stderr), line(plan.stderr), "check and plan report it in the same words at the same place");

  // a swept layers: each variant is its own network, and the one that differs is reported
  writeFileSync(join(tmp, "swept.align"), `recipe swept { seed = 3 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = sweep [1, 3]  d_model = 32  heads = 2  context = 64  weights = safetensors("w.safetensors") }
stage pre = pretrain { init = tiny  data = text("corpus.txt")  steps = 2  batch_size = 2 }
`);
  const swept = alignc("check", "swept.align");
  assert.equal(swept.status, 1, swept.stderr);
  assert.match(swept.stderr, /layers: the file has 1, the plan 3/);

  const good = alignc("check", recipe("good", "1"));
  assert.equal(good.status, 0, good.stderr);

  writeFileSync(join(tmp, "w.safetensors"), "these are notes, not weights\n");
  const notes = alignc("check", "good.align");
  assert.equal(notes.status, 1, notes.stderr);
  assert.match(notes.stderr, /error AL4023: .*w\.safetensors cannot be read as a model's weights/);
});

test("alignc check reads the header without loading TensorFlow.js or the training engine", () => {
  checkpoint(join(tmp, "w.safetensors"));
  const file = recipe("traced", "2");
  const r = traced(tracer.preload, [join(root, "bin", "alignc.js"), "check", "--no-leaks", file], { cwd: tmp, env: { XDG_CACHE_HOME: join(tmp, ".cache") } });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /AL4023/);
  assert.ok(r.modules.some((m) => m.includes("/dist/src/cli/main.js")), "the trace saw the CLI load");
  assert.deepEqual(r.modules.filter((m) => m.includes("/@tensorflow/")), []);
  assert.deepEqual(r.modules.filter((m) => /\/dist\/src\/train\/(?!config\.js|throughput\.js|errors\.js)/.test(m)), []);
});

test("a FIFO named config.json beside GPT-2 weights: AL4023 with the reason from check and plan, not a read that never ends", () => {
  const dir = mkdtempSync(join(tmp, "gpt2-"));
  const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  // GPT-2's layout: the shape from wte, wpe and the h.N blocks; heads only from a config.json beside it
  writeFileSync(join(dir, "w.safetensors"), encodeSafetensors(new Map([["wte.weight", t([259, 32])], ["wpe.weight", t([64, 32])], ["h.0.ln_1.weight", t([32])]])));
  assert.equal(spawnSync("mkfifo", [join(dir, "config.json")]).status, 0);
  writeFileSync(join(dir, "corpus.txt"), "some text to train on\n".repeat(20));
  writeFileSync(
    join(dir, "g.align"),
    `recipe g { seed = 3 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64  weights = safetensors("w.safetensors") }
stage pre = pretrain { init = tiny  data = text("corpus.txt")  steps = 2  batch_size = 2 }
`,
  );
  for (const cmd of ["check", "plan"]) {
    const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), cmd, "g.align"], { cwd: dir, encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: join(dir, ".cache") } });
    assert.equal(r.signal, null, `${cmd} did not finish: it read the FIFO`);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /g\.align:3:\d+: error AL4023: .*w\.safetensors cannot be read as a model's weights \(.*config\.json: is a FIFO \(named pipe\), not a regular file/);
  }
});
