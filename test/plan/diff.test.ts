import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Ajv } from "ajv";
import { planRecipe } from "../../src/plan/compile.js";
import { diffPlans } from "../../src/plan/diff.js";
import { renderDiff } from "../../src/plan/render.js";
import { DIFF_SCHEMA } from "../../src/plan/schema.js";
import type { Plan } from "../../src/plan/types.js";
import { block, findBlock, ref, QUICK_FILES, quickRecipe, tempFiles, type QuickOptions } from "./fixture.js";

const root = tempFiles(QUICK_FILES);
const compile = (opts: QuickOptions = {}): Plan => planRecipe(quickRecipe({ root, ...opts }), { engine: { alignc: "t", epoch: 1 } }).plan!;
const validateDiff = new Ajv({ allErrors: true, strict: false }).compile(DIFF_SCHEMA);
const setProp = (name: string, prop: string, value: number | string) => (blocks: Parameters<NonNullable<QuickOptions["patch"]>>[0]) => {
  const b = findBlock(blocks, name);
  b.props = { ...b.props, [prop]: value };
};

test("diff(p, p) is empty: every node reused, nothing to re-run", () => {
  const p = compile();
  const d = diffPlans(p, p);
  assert.equal(d.equal, true);
  assert.ok(d.entries.every((e) => e.action === "="));
  assert.deepEqual(d.rerun, []);
  assert.deepEqual(d.reused, ["judge", "policy", "pre", "rm", "rm_acc", "sft", "zero_shot"]);
  assert.ok(validateDiff(d), JSON.stringify(validateDiff.errors));
});

// a samples(...) draw generates into the cache as an eval does: reused or re-run, it is listed (huntG40)
test("a samples draw is listed with the stages and evals: reused when equal, re-run when its hash changes; other data nodes are not", () => {
  const p = compile();
  const withDraw = (hash: string): Plan => {
    const q = structuredClone(p);
    const proto = q.nodes.find((n) => n.kind === "data")!;
    q.nodes.push({ ...structuredClone(proto), id: "onpol/draw", block: "onpol", kind: "data", op: "samples", hash });
    return q;
  };
  const same = diffPlans(withDraw("d".repeat(64)), withDraw("d".repeat(64)));
  assert.ok(same.reused.includes("onpol/draw"), same.reused.join(", "));
  assert.ok(!same.reused.some((id) => p.nodes.find((n) => n.id === id)?.kind === "data"), "in-memory data nodes are not listed");
  assert.ok(diffPlans(withDraw("d".repeat(64)), withDraw("e".repeat(64))).rerun.includes("onpol/draw"));
});

test("one changed parameter: ~ on its node with old → new, descendants re-run because of it", () => {
  const d = diffPlans(compile(), compile({ patch: setProp("policy", "kl_coef", 0.05) }));
  assert.equal(d.equal, false);
  const policy = d.entries.find((e) => e.id === "policy")!;
  assert.equal(policy.action, "~");
  assert.deepEqual(policy.changes, [{ path: "kl_coef", old: 0.1, new: 0.05 }]);
  const judge = d.entries.find((e) => e.id === "judge")!;
  assert.equal(judge.action, "~");
  assert.deepEqual(judge.changes, []);
  assert.deepEqual(judge.because, ["policy"]);
  assert.deepEqual(d.rerun, ["judge", "policy"]);
  assert.deepEqual(d.reused, ["pre", "rm", "rm_acc", "sft", "zero_shot"]);
  assert.ok(validateDiff(d), JSON.stringify(validateDiff.errors));
  const text = renderDiff(d);
  assert.match(text, /~ policy\s+stage ppo\n\s+kl_coef: 0\.1 → 0\.05/);
  assert.match(text, /must re-run: judge, policy/);
});

test("gates are part of a plan: a changed expect line makes plans differ, with every node reused", () => {
  const p = compile();
  const q: Plan = { ...p, recipe: { ...p.recipe, expect: ["judge.win_rate > 0.5", "full_size: rm_acc.accuracy >= 0.7"] } };
  const r: Plan = { ...p, recipe: { ...p.recipe, expect: ["judge.win_rate > 0.6", "full_size: rm_acc.accuracy >= 0.7"] } };
  const d = diffPlans(q, r, { a: "q", b: "r" });
  assert.equal(d.equal, false);
  assert.ok(d.entries.every((e) => e.action === "="));
  assert.deepEqual(d.gates, [
    { action: "-", text: "judge.win_rate > 0.5" },
    { action: "+", text: "judge.win_rate > 0.6" },
  ]);
  assert.ok(validateDiff(d), JSON.stringify(validateDiff.errors));
  assert.match(renderDiff(d), /  - expect judge\.win_rate > 0\.5\n  \+ expect judge\.win_rate > 0\.6\n\n0 to add, 0 to change, 0 to remove, 24 reused; gates: 1 added, 1 removed/);
  assert.equal(diffPlans(q, q).equal, true);
});

test("a renamed block is reused (=, with its old name); renamed and changed is ~ by lineage", () => {
  const d = diffPlans(compile(), compile({ rename: { sft: "tune" } }));
  assert.equal(d.equal, true);
  const tune = d.entries.find((e) => e.id === "tune")!;
  assert.equal(tune.action, "=");
  assert.equal(tune.from, "sft");
  const d2 = diffPlans(compile(), compile({ rename: { sft: "tune" }, patch: setProp("tune", "lr", 1e-3) }));
  const t2 = d2.entries.find((e) => e.id === "tune")!;
  assert.equal(t2.action, "~");
  assert.equal(t2.from, "sft");
  assert.deepEqual(t2.changes, [{ path: "lr", old: 5e-4, new: 1e-3 }]);
  assert.ok(!d2.entries.some((e) => e.action === "+" || e.action === "-"));
});

test("added and removed nodes", () => {
  const extra = (blocks: Parameters<NonNullable<QuickOptions["patch"]>>[0]) => {
    blocks.push(block({ keyword: "eval", name: "loss", kind: "lm_loss", props: { model: ref("sft"), data: ref("demos") } }));
  };
  const d = diffPlans(compile(), compile({ patch: extra }));
  assert.deepEqual(d.entries.filter((e) => e.action !== "=").map((e) => `${e.action}${e.id}`), ["+loss"]);
  assert.deepEqual(d.rerun, ["loss"]);
  const back = diffPlans(compile({ patch: extra }), compile());
  assert.deepEqual(back.entries.filter((e) => e.action !== "=").map((e) => `${e.action}${e.id}`), ["-loss"]);
  assert.deepEqual(back.rerun, []);
});

test("mixture components diff by input name; files by content", () => {
  const d = diffPlans(
    compile(),
    compile({
      patch: (blocks) => {
        const m = findBlock(blocks, "sft_data");
        m.props = { ...m.props, components: { sentiment: { proportional: true, cap: 100 }, addition: { proportional: true, cap: 600 }, demos: { weight: 1 } } };
      },
    }),
  );
  assert.deepEqual(d.entries.find((e) => e.id === "sft_data")!.changes, [{ path: "components[sentiment].cap", old: 600, new: 100 }]);
});

test("for any single parameter change, exactly one node has changes of its own and the diff is sorted", () => {
  const knobs: [string, string][] = [["pre", "lr"], ["sft", "steps"], ["rm", "lr"], ["policy", "clip"], ["tiny", "layers"], ["sentiment", "invert"]];
  const base = compile();
  fc.assert(
    fc.property(fc.constantFrom(...knobs), fc.integer({ min: 2, max: 5 }), ([name, prop], k) => {
      const d = diffPlans(base, compile({ patch: (blocks) => setProp(name, prop, (findBlock(blocks, name).props[prop] as number) * k)(blocks) }));
      const own = d.entries.filter((e) => (e.changes ?? []).length > 0);
      assert.deepEqual(own.map((e) => e.id), [name]);
      assert.deepEqual(d.entries.map((e) => e.id), [...d.entries.map((e) => e.id)].sort());
      assert.deepEqual(diffPlans(base, base).entries.filter((e) => e.action !== "="), []);
    }),
    { numRuns: 20 },
  );
});

test("for any two variations of a recipe, actions agree with hashes and diff(b, a) mirrors diff(a, b)", () => {
  const knobs: [string, string, number[]][] = [
    ["pre", "steps", [100, 300]],
    ["sft", "lr", [5e-4, 1e-4]],
    ["rm", "steps", [150, 50]],
    ["policy", "kl_coef", [0.1, 0.02]],
    ["tiny", "d_model", [128, 256]],
    ["addition", "invert", [0, 0.3]],
    ["prefs", "holdout", [0.2, 0.1]],
  ];
  const variation = fc.array(fc.nat({ max: 1 }), { minLength: knobs.length, maxLength: knobs.length });
  const build = (pick: number[]): Plan =>
    compile({ patch: (blocks) => knobs.forEach(([name, prop, values], i) => setProp(name, prop, values[pick[i]!]!)(blocks)) });
  fc.assert(
    fc.property(variation, variation, (x, y) => {
      const [a, b] = [build(x), build(y)];
      const d = diffPlans(a, b);
      const aHashes = new Set(a.nodes.map((n) => n.hash));
      for (const e of d.entries) {
        if (e.action === "=") assert.ok(aHashes.has(e.hash!), e.id);
        if (e.action === "~") assert.notEqual(e.hash, e.old_hash, e.id);
      }
      // what must re-run is exactly what has a hash A never computed
      const fresh = b.nodes.filter((n) => !aHashes.has(n.hash) && (n.kind === "stage" || n.kind === "eval")).map((n) => n.id).sort();
      assert.deepEqual(d.rerun, fresh);
      assert.equal(d.equal, canonicalJsonIds(a) === canonicalJsonIds(b));
      const back = diffPlans(b, a);
      const count = (x: typeof d, act: string) => x.entries.filter((e) => e.action === act).length;
      assert.equal(count(back, "+"), count(d, "-"));
      assert.equal(count(back, "~"), count(d, "~"));
      assert.equal(count(back, "="), count(d, "="));
    }),
    { numRuns: 25 },
  );
});

function canonicalJsonIds(p: Plan): string {
  return p.nodes.map((n) => n.hash).sort().join(",");
}
