import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import fc from "fast-check";
import { planRecipe } from "../../src/plan/compile.js";
import { canonicalJson } from "../../src/plan/canonical.js";
import { diffPlans } from "../../src/plan/diff.js";
import { goldenPlan } from "../../src/plan/golden.js";
import { PLAN_SCHEMA } from "../../src/plan/schema.js";
import { renderPlan } from "../../src/plan/render.js";
import type { DataSize, Plan } from "../../src/plan/types.js";
import { findBlock, QUICK_FILES, quickRecipe, tempFiles } from "./fixture.js";

const validate = new Ajv({ allErrors: true, strict: false }).compile(PLAN_SCHEMA);
const root = tempFiles(QUICK_FILES);
const sizes = new Map<string, DataSize>([
  ["sft_data/tokenize", { examples: 1500, tokens: 60000, max_tokens: 61, estimated: true }],
  ["prefs/tokenize", { examples: 200, tokens: 40000, max_tokens: 50, comparisons: 2400 }],
]);

function plans(): Plan[] {
  const plain = planRecipe(quickRecipe({ root }), { sizes, backend: "wasm", flopsPerSecond: 1e10 }).plan!;
  const swept = planRecipe(quickRecipe({ root, patch: (bs) => (findBlock(bs, "rm").props.lr = { $sweep: [1e-4, 1e-5] }) })).plan!;
  return [plain, swept, goldenPlan(plain)];
}

test("plans are valid against the published schema and survive a JSON round trip losslessly", () => {
  for (const p of plans()) {
    assert.ok(validate(p), JSON.stringify(validate.errors, null, 1));
    const back = JSON.parse(JSON.stringify(p)) as Plan;
    assert.deepEqual(back, p);
    assert.equal(diffPlans(back, p).equal, true);
  }
});

test("a size measured on a sample is marked estimated: valid in the schema, shown as ≈ tokens (exact ones without)", () => {
  const [plain] = plans();
  const table = renderPlan(plain!);
  assert.match(table, /sft_data\/tokenize .*1\.5k ex \/ ≈60k tok/);
  assert.match(table, /prefs\/tokenize .*200 ex \/ 40k tok/);
  const bad = structuredClone(plain!);
  (bad.nodes.find((n) => n.id === "prefs/tokenize")!.estimates.size as unknown as { estimated: boolean }).estimated = false;
  assert.equal(validate(bad), false, "estimated is true or absent");
});

test("the schema rejects malformed plans (it can fail)", () => {
  const p = plans()[0]!;
  fc.assert(
    fc.property(fc.constantFrom("hash", "kind", "inputs", "id"), fc.nat({ max: p.nodes.length - 1 }), (field, i) => {
      const broken = JSON.parse(JSON.stringify(p)) as { nodes: Record<string, unknown>[] };
      broken.nodes[i]![field] = field === "inputs" ? "x" : field === "id" ? 7 : "not-a-" + field;
      assert.equal(validate(broken), false);
    }),
    { numRuns: 20 },
  );
});

test("golden form: no absolute path, no machine-dependent estimate", () => {
  const g = goldenPlan(plans()[0]!);
  const text = JSON.stringify(g);
  assert.ok(!text.includes(root), "no absolute temp path");
  assert.ok(!/time_s|"backend"/.test(text));
  assert.ok(/"memory_bytes"/.test(text));
});

test("the plan is the same in two separate processes, whatever the key and declaration order", () => {
  const here = fileURLToPath(import.meta.url);
  const script = here.replace(/json\.test\.(ts|js)$/, "print-plan.$1");
  const args = here.endsWith(".ts") ? ["--import", "tsx", script] : [script];
  const run = (shuffle: string) => execFileSync(process.execPath, args, { env: { ...process.env, ALIGNC_SHUFFLE: shuffle }, encoding: "utf8" });
  const a = run("0");
  const b = run("1");
  assert.ok(a.length > 1000);
  assert.equal(a, b);
});

test("canonicalJson: sorted keys, no whitespace, undefined members dropped, equal to JSON.parse round trip", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = canonicalJson(v);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(v)));
      assert.equal(canonicalJson(JSON.parse(text)), text);
    }),
  );
  assert.equal(canonicalJson({ b: 1, a: [true, null, "x"], c: undefined }), '{"a":[true,null,"x"],"b":1}');
});
