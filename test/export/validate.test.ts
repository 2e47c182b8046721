// Every generated file validated against the engines' dumped configuration surfaces in
// ../shared/data/export (skipped cleanly when ../shared is absent), and the validators themselves
// shown to reject what the engines would misread.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { compileExport } from "../../src/export/compile.js";
import { schemasAvailable } from "../../src/export/validate/schemas.js";
import { loadSurfaces, validateExport } from "../../src/export/validate/index.js";
import { validateOpenRLHFArgv } from "../../src/export/validate/openrlhf.js";
import { validateTRLConfig } from "../../src/export/validate/trl.js";
import type { ExportOptions } from "../../src/export/types.js";
import { fixtureInput } from "./fixture.js";

const HAVE = schemasAvailable();
const SKIP = "../shared/data/export is absent";

const MATRIX: Omit<ExportOptions, "dropPtx">[] = [];
for (const nodes of [1, 4])
  for (const gpusPerNode of [1, 8]) {
    MATRIX.push({ to: "trl", nodes, gpusPerNode });
    MATRIX.push({ to: "openrlhf", nodes, gpusPerNode, targetVersion: "0.7.0.post1" });
    MATRIX.push({ to: "openrlhf", nodes, gpusPerNode, targetVersion: "0.11.0" });
    MATRIX.push({ to: "axolotl", nodes, gpusPerNode });
  }

for (const m of MATRIX) {
  test(`every file of a ${m.to} ${m.targetVersion ?? ""} export (${m.nodes}×${m.gpusPerNode}) validates`, (t) => {
    if (!HAVE) return t.skip(SKIP);
    const input = fixtureInput({ without: m.to === "axolotl" ? ["policy"] : [] });
    const r = compileExport(input, { ...m, dropPtx: !(m.to === "openrlhf" && m.targetVersion === "0.7.0.post1") });
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
    const results = validateExport(r.files, loadSurfaces());
    const configs = r.files.filter((f) => f.check);
    assert.ok(configs.length >= input.stages.length, "every stage has a checked config");
    for (const [path, errors] of results) assert.deepEqual(errors, [], path);
  });
}

test("launch scripts are valid bash", (t) => {
  if (spawnSync("bash", ["--version"]).status !== 0) return t.skip("no bash");
  for (const to of ["trl", "openrlhf", "axolotl"] as const) {
    const r = compileExport(fixtureInput({ without: to === "axolotl" ? ["policy"] : [] }), { to, nodes: 2, gpusPerNode: 8, dropPtx: true });
    for (const f of r.files.filter((x) => x.path.endsWith(".sh"))) {
      const res = spawnSync("bash", ["-n"], { input: f.content });
      assert.equal(res.status, 0, `${to} ${f.path}: ${res.stderr}`);
    }
  }
});

test("the OpenRLHF validator rejects unknown flags, bad types, bad choices, values on on/off flags, repeats", (t) => {
  if (!HAVE) return t.skip(SKIP);
  const flags = loadSurfaces().openrlhf["0.11.0"]!["train_ppo_ray"]!;
  assert.deepEqual(validateOpenRLHFArgv(["--algo.kl.estimator", "k3", "--train.colocate_all"], flags), []);
  const errs = validateOpenRLHFArgv(["--ptx_coef", "1", "--train.seed", "1.5", "--algo.kl.estimator", "k9", "--train.colocate_all", "yes", "--train.seed", "2"], flags);
  assert.ok(errs.some((e) => e.includes("unknown flag --ptx_coef")), errs.join("\n"));
  assert.ok(errs.some((e) => e.includes("expects int")));
  assert.ok(errs.some((e) => e.includes("must be one of k1, k2, k3")));
  assert.ok(errs.some((e) => e.includes("on/off flag")));
  assert.ok(errs.some((e) => e.includes("given twice")));
  // v0.7.0.post1 still has the ptx flags; 0.11.0 does not
  const old = loadSurfaces().openrlhf["0.7.0.post1"]!["train_ppo_ray"]!;
  assert.deepEqual(validateOpenRLHFArgv(["--ptx_coef", "27.8", "--pretrain_data", "x.jsonl"], old), []);
});

test("the TRL validator rejects keys TRL would forward to accelerate, and mistyped values", (t) => {
  if (!HAVE) return t.skip(SKIP);
  const fields = loadSurfaces().trl;
  assert.deepEqual(validateTRLConfig({ learning_rate: 1e-5, beta: 0.1, output_dir: "x", max_length: 512 }, "dpo", fields), []);
  const errs = validateTRLConfig({ learnin_rate: 1e-5, beta: "high", num_processes: 8 }, "dpo", fields);
  assert.equal(errs.length, 3, errs.join("\n"));
  assert.ok(validateTRLConfig({ beta: 0.1 }, "sft", fields).length === 1, "beta is not an SFT field");
});

test("the Axolotl validator rejects unknown keys at any level and schema violations", (t) => {
  if (!HAVE) return t.skip(SKIP);
  const v = loadSurfaces().axolotl;
  assert.deepEqual(v({ base_model: "gpt2", learning_rate: 1e-5, datasets: [{ path: "a.jsonl", type: "chat_template", field_messages: "messages" }] }), []);
  const errs = v({ base_model: "gpt2", learning_rate: 1e-5, dpo_betta: 0.1, sequence_len: "long", datasets: [{ path: "a.jsonl", feild_messages: "m" }] });
  assert.ok(errs.some((e) => e.startsWith("dpo_betta:")), errs.join("\n"));
  assert.ok(errs.some((e) => e.startsWith("datasets[0].feild_messages:")), errs.join("\n"));
  assert.ok(errs.some((e) => e.includes("/sequence_len")), errs.join("\n"));
  assert.ok(v({ learning_rate: 1e-5 }).some((e) => e.includes("base_model")), "base_model is required");
});

test("cross-file checks catch a config naming a key its rows lack", (t) => {
  if (!HAVE) return t.skip(SKIP);
  const r = compileExport(fixtureInput({ without: ["policy"] }), { to: "openrlhf", nodes: 1, gpusPerNode: 8, dropPtx: true });
  const files = r.files.map((f) => (f.path === "data/sft/train.jsonl" ? { ...f, content: f.content.replace(/"completion"/g, '"answer"') } : f));
  const errs = validateExport(files, loadSurfaces()).get("configs/sft.args")!;
  assert.ok(errs.some((e) => e.includes("`completion` must be a string")), errs.join("\n"));
});

test("for any hyperparameters within the kinds' ranges and any cluster, every target's files validate", (t) => {
  if (!HAVE) return t.skip(SKIP);
  const surfaces = loadSurfaces();
  const hpArb = fc.record({
    steps: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: null }),
    epochs: fc.double({ min: 0.5, max: 5, noNaN: true }),
    batch_size: fc.integer({ min: 1, max: 512 }),
    accumulate: fc.integer({ min: 1, max: 8 }),
    lr: fc.double({ min: 1e-8, max: 1e-2, noNaN: true }),
    warmup: fc.integer({ min: 0, max: 500 }),
    schedule: fc.constantFrom("cosine" as const, "constant" as const, "linear" as const),
    min_lr_ratio: fc.double({ min: 0, max: 1, noNaN: true }),
    optimizer: fc.constantFrom("adamw" as const, "adam" as const),
    weight_decay: fc.double({ min: 0, max: 0.5, noNaN: true }),
    grad_clip: fc.double({ min: 0, max: 5, noNaN: true }),
    max_length: fc.integer({ min: 8, max: 8192 }),
    beta: fc.double({ min: 0.001, max: 1, noNaN: true }),
    kl_coef: fc.double({ min: 0, max: 1, noNaN: true }),
    temperature: fc.double({ min: 0.1, max: 2, noNaN: true }),
    max_new_tokens: fc.integer({ min: 1, max: 512 }),
  });
  const target = fc.constantFrom(
    { to: "trl" as const, targetVersion: "1.9.0" },
    { to: "openrlhf" as const, targetVersion: "0.7.0.post1" },
    { to: "openrlhf" as const, targetVersion: "0.11.0" },
    { to: "axolotl" as const, targetVersion: "0.18.0" },
  );
  fc.assert(
    fc.property(hpArb, target, fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 8 }), (hp, tg, nodes, gpus) => {
      const input = fixtureInput({ without: tg.to === "axolotl" ? ["policy"] : [] });
      for (const s of input.stages) {
        const { epochs, steps, ...rest } = hp;
        // a PPO stage always has steps (the kinds table requires them): there, a drawn null keeps the fixture's
        const n = s.kind === "ppo" ? (steps ?? s.hp.steps) : steps;
        Object.assign(s.hp, rest, n === null ? { steps: null, epochs } : { steps: n, epochs: null });
      }
      const r = compileExport(input, { ...tg, nodes, gpusPerNode: gpus, dropPtx: true });
      // a cluster OpenRLHF cannot run this batch on (AL4613) or that leaves a stage no whole batch of the
      // fixture's rows (AL4614) is refused with nothing written; every other export validates
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      assert.deepEqual(errors.filter((d) => d.code !== "AL4613" && d.code !== "AL4614"), []);
      if (errors.length) return assert.deepEqual(r.files, []);
      for (const [path, errors] of validateExport(r.files, surfaces)) assert.deepEqual(errors, [], `${tg.to} ${tg.targetVersion} ${path}`);
    }),
    { numRuns: 60 },
  );
});
