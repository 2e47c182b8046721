// The light commands stay light: `check`, `fmt`, `plan` (data sizes cached), `diff` and `schema`
// never load TensorFlow.js, the training engine, the run machinery or the template/tokenizer
// libraries. Asserted on the modules each process actually loads (test/cli/module-trace.ts), not
// on timings, so the test holds on a loaded machine.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";
import { makeTracer, traced } from "./module-trace.js";

const root = repoRoot();
const built = existsSync(join(root, "dist/src/cli/main.js"));
const tracer = makeTracer();
const cache = mkdtempSync(join(tmpdir(), "alignc-lazy-cache-"));
after(() => {
  tracer.dispose();
  rmSync(cache, { recursive: true, force: true });
});

// Heavy or engine-side modules, by the path fragment that identifies them. The pure parts of
// src/train that planning uses (model/optimizer config, throughput tables, errors) are allowed.
const HEAVY: [label: string, matches: (m: string) => boolean][] = [
  ["TensorFlow.js", (m) => m.includes("/@tensorflow/")],
  ["the training engine", (m) => /\/dist\/src\/train\/(?!config\.js|throughput\.js|errors\.js)/.test(m)],
  ["the run machinery", (m) => /\/dist\/src\/run\/(nodes\/|executor|run-plan|cache|lock|progress)/.test(m)],
  ["cli-progress", (m) => m.includes("/cli-progress/")],
  ["ajv (only needed to read plan.json files)", (m) => m.includes("/node_modules/ajv/")],
];
// The data layer's template and tokenizer libraries: not loaded by commands that read no data
// (`check --no-leaks`, fmt, schema, diff); `check` and `plan` read the recipe's data for the
// contamination check (issue 12: both warn when an eval prompt is in a training pool).
const DATA_LIBRARIES: typeof HEAVY = [
  ["Handlebars", (m) => m.includes("/handlebars/")],
  ["Jinja", (m) => m.includes("/@huggingface/jinja/")],
  ["gpt-tokenizer", (m) => m.includes("/gpt-tokenizer/")],
];

function assertLight(args: string[], expectStatus = 0, readsData = false): void {
  const r = traced(tracer.preload, [join(root, "bin/alignc.js"), ...args], { cwd: root, env: { ALIGNC_CACHE_DIR: cache } });
  assert.equal(r.status, expectStatus, r.stderr);
  assert.ok(r.modules.some((m) => m.includes("/dist/src/cli/main.js")), `the trace saw the CLI load (got ${r.modules.length} modules)`);
  for (const [label, matches] of readsData ? HEAVY : [...HEAVY, ...DATA_LIBRARIES]) {
    const hits = r.modules.filter(matches);
    assert.deepEqual(hits, [], `alignc ${args.join(" ")} loaded ${label}`);
  }
}

const opts = { skip: !built && "needs npm run build" };

test("the tracer sees a heavy module when one is loaded (the assertion can fail)", opts, () => {
  const r = traced(tracer.preload, ["--input-type=module", "-e", 'await import("cli-progress"); await import("handlebars");'], { cwd: root });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.modules.some((m) => m.includes("/cli-progress/")), r.modules.join("\n"));
  assert.ok(r.modules.some((m) => m.includes("/handlebars/")), r.modules.join("\n"));
  assert.ok(r.cpuMs > 0 && r.maxRssKb > 0);
});

test("alignc check loads neither TensorFlow.js nor the engine; with --no-leaks no template library either", opts, () => {
  assertLight(["check", "--no-leaks", "recipes/quickstart.align"]);
  assertLight(["check", "recipes/quickstart.align"], 0, true);
});

test("alignc fmt --check is light", opts, () => {
  assertLight(["fmt", "--check", "recipes/quickstart.align"]);
});

test("alignc schema plan and schema diff are light", opts, () => {
  assertLight(["schema", "plan"]);
  assertLight(["schema", "diff"]);
});

test("alignc plan (data sizes cached) and alignc diff are light", opts, () => {
  // the first plan measures the data (it may load tokenizers); the second reads the sizes, truncation
  // and contamination caches, so it loads no template or tokenizer library either
  const first = traced(tracer.preload, [join(root, "bin/alignc.js"), "plan", "recipes/quickstart.align"], { cwd: root, env: { ALIGNC_CACHE_DIR: cache } });
  assert.equal(first.status, 0, first.stderr);
  assert.ok(!first.modules.some((m) => m.includes("/@tensorflow/")), "even a cold plan does not load TensorFlow.js");
  assertLight(["plan", "recipes/quickstart.align"]);
  assertLight(["plan", "--json", "recipes/quickstart.align"]);
  assertLight(["diff", "recipes/quickstart.align", "recipes/quickstart.align"]);
  // check reads the truncation counts and contamination findings plan cached (one memo, by stage hash)
  assertLight(["check", "recipes/quickstart.align"]);
});

test("a second plain alignc check reads what the first one cached: no template library", opts, () => {
  const own = mkdtempSync(join(tmpdir(), "alignc-lazy-check-cache-"));
  try {
    const first = traced(tracer.preload, [join(root, "bin/alignc.js"), "check", "recipes/quickstart.align"], { cwd: root, env: { ALIGNC_CACHE_DIR: own } });
    assert.equal(first.status, 0, first.stderr);
    assert.ok(first.modules.some((m) => m.includes("/handlebars/")), "a cold check renders the data (the assertion below can fail)");
    const second = traced(tracer.preload, [join(root, "bin/alignc.js"), "check", "recipes/quickstart.align"], { cwd: root, env: { ALIGNC_CACHE_DIR: own } });
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.equal(second.stderr.replace(/trace: .*\n/, ""), first.stderr.replace(/trace: .*\n/, ""), "the same diagnostics from the cache");
    for (const [label, matches] of DATA_LIBRARIES) assert.deepEqual(second.modules.filter(matches), [], `the second check loaded ${label}`);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});
