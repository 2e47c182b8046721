// Properties over random recipes (not only the quickstart's shape): for any recipe drawn from the
// generator below, renaming, reordering and one-parameter changes behave as the hash rule says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import type { CheckedBlock, CheckedRecipe, IRRecord } from "../../src/check/ir.js";
import { canonicalJson } from "../../src/plan/canonical.js";
import { planRecipe } from "../../src/plan/compile.js";
import { descendants } from "../../src/common/graph.js";
import type { Plan } from "../../src/plan/types.js";
import { block, call, ref, QUICK_FILES, tempFiles } from "./fixture.js";

const root = tempFiles(QUICK_FILES);
const dir = join(root, "recipes");
const ENGINE = { alignc: "t", epoch: 1 };

interface Shape {
  tasks: { name: string; file: "sentiment" | "addition"; invert: number }[];
  demos: boolean;
  model: { layers: number; d_model: number; heads: number; context: number };
  caps: number[];
  ppo: { kl: number; ptx: number } | null;
  dpo: boolean;
  evals: boolean[];
}

const shape: fc.Arbitrary<Shape> = fc.record({
  tasks: fc.uniqueArray(fc.record({ name: fc.constantFrom("t_a", "t_b", "t_c"), file: fc.constantFrom("sentiment" as const, "addition" as const), invert: fc.constantFrom(0, 0.1, 0.3) }), {
    minLength: 1,
    maxLength: 3,
    selector: (t) => t.name,
  }),
  demos: fc.boolean(),
  model: fc.record({ layers: fc.integer({ min: 1, max: 3 }), d_model: fc.constantFrom(64, 128), heads: fc.constantFrom(2, 4), context: fc.constantFrom(32, 64, 96) }),
  caps: fc.array(fc.constantFrom(100, 600), { minLength: 3, maxLength: 3 }),
  ppo: fc.option(fc.record({ kl: fc.constantFrom(0.02, 0.1), ptx: fc.constantFrom(0, 1) }), { nil: null }),
  dpo: fc.boolean(),
  evals: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
});

function recipeOf(s: Shape, names: (n: string) => string = (n) => n, reverse = false): CheckedRecipe {
  const n = names;
  const blocks: CheckedBlock[] = [
    block({ keyword: "tokenizer", name: n("tok"), kind: "byte_level" }),
    block({ keyword: "model", name: n("net"), kind: "gpt", props: { tokenizer: ref(n("tok")), ...s.model, dropout: 0, init_std: 0.02 } }),
  ];
  const components: IRRecord = {};
  s.tasks.forEach((t, i) => {
    blocks.push(
      block({
        keyword: "task",
        name: n(t.name),
        kind: "flan",
        props: { data: call("jsonl", join(dir, `data/tasks/${t.file}.jsonl`)), templates: call("dir", join(root, `templates/flan/${t.file}`)), invert: t.invert, shots: { $range: [0, 1] }, holdout: 0.1 },
      }),
    );
    components[n(t.name)] = { proportional: true, cap: s.caps[i]! };
  });
  if (s.demos) {
    blocks.push(block({ keyword: "source", name: n("demos"), kind: "jsonl", args: [join(dir, "data/demos.jsonl")], role: "demonstrations", props: { prompt: "{{instruction}}", response: "{{response}}", holdout: 0 } }));
    components[n("demos")] = { weight: 1 };
  }
  blocks.push(block({ keyword: "source", name: n("prefs"), kind: "jsonl", args: [join(dir, "data/rankings.jsonl")], role: "rankings", props: { k: { $range: [4, 9] }, holdout: 0.2 } }));
  blocks.push(block({ keyword: "mixture", name: n("mix"), kind: "mix", props: { components, dedup: "exact" } }));
  blocks.push(block({ keyword: "format", name: n("fmt"), kind: "chat_template", args: [join(root, "templates/chat/plain.hbs")], props: { system: "" } }));
  blocks.push(block({ keyword: "stage", name: n("pre"), kind: "pretrain", props: { init: ref(n("net")), data: call("text", join(dir, "data/corpus.txt")), steps: 50, lr: 1e-3, log_every: 10 } }));
  blocks.push(block({ keyword: "stage", name: n("sft"), kind: "sft", props: { init: ref(n("pre")), data: ref(n("mix")), format: ref(n("fmt")), steps: 60, lr: 5e-4 } }));
  blocks.push(block({ keyword: "stage", name: n("rm"), kind: "reward_model", props: { init: ref(n("sft")), data: ref(n("prefs")), format: ref(n("fmt")), steps: 30, lr: 1e-4 } }));
  if (s.ppo)
    blocks.push(
      block({
        keyword: "stage",
        name: n("ppo"),
        kind: "ppo",
        props: { init: ref(n("sft")), reward: ref(n("rm")), prompts: ref(n("prefs"), "prompts"), format: ref(n("fmt")), kl_coef: s.ppo.kl, ptx_coef: s.ppo.ptx, ptx_data: s.ppo.ptx ? ref(n("mix")) : null, steps: 10 },
      }),
    );
  if (s.dpo) blocks.push(block({ keyword: "stage", name: n("dpo"), kind: "dpo", props: { init: ref(n("sft")), data: ref(n("prefs")), format: ref(n("fmt")), beta: 0.1, steps: 20 } }));
  if (s.evals[0]) blocks.push(block({ keyword: "eval", name: n("acc"), kind: "accuracy", props: { model: ref(n("sft")), task: ref(n("mix")), split: "heldout_templates", n: 100 } }));
  if (s.evals[1]) blocks.push(block({ keyword: "eval", name: n("rmacc"), kind: "rm_accuracy", props: { model: ref(n("rm")), data: call("heldout", ref(n("prefs"))) } }));
  if (s.evals[2] && s.ppo) blocks.push(block({ keyword: "eval", name: n("win"), kind: "win_rate", props: { a: ref(n("ppo")), b: ref(n("sft")), judge: ref(n("rm")), prompts: call("heldout", ref(n("prefs"))), n: 100 } }));
  return { file: join(dir, "random.align"), dir, name: "random", header: { seed: 5 }, seed: 5, blocks: reverse ? dependencyOrderReversed(blocks) : blocks, expects: [], budget: [], extendsFile: null };
}

/** Another valid declaration order: dependencies first, otherwise the reverse of the original. */
function dependencyOrderReversed(blocks: CheckedBlock[]): CheckedBlock[] {
  const out: CheckedBlock[] = [];
  const placed = new Set<string>();
  const rest = [...blocks].reverse();
  while (rest.length) {
    const i = rest.findIndex((b) => b.deps.every((d) => placed.has(d)));
    const [b] = rest.splice(i, 1);
    out.push(b!);
    placed.add(b!.name);
  }
  return out;
}

const plan = (r: CheckedRecipe): Plan => {
  const p = planRecipe(r, { engine: ENGINE });
  assert.ok(p.plan, JSON.stringify(p.diagnostics));
  return p.plan;
};

test("for any recipe, renaming every block keeps every hash, and the plan is topological", () => {
  fc.assert(
    fc.property(shape, (s) => {
      const a = plan(recipeOf(s));
      const b = plan(recipeOf(s, (n) => `x_${n.split("").reverse().join("")}`));
      assert.deepEqual(b.nodes.map((n) => n.hash).sort(), a.nodes.map((n) => n.hash).sort());
      const pos = new Map(a.nodes.map((n, i) => [n.id, i]));
      for (const n of a.nodes) for (const i of n.inputs) assert.ok(pos.get(i)! < pos.get(n.id)!);
    }),
    { numRuns: 25 },
  );
});

test("for any recipe, reordering declarations gives the identical plan", () => {
  fc.assert(
    fc.property(shape, (s) => assert.equal(canonicalJson(plan(recipeOf(s, undefined, true))), canonicalJson(plan(recipeOf(s))))),
    { numRuns: 25 },
  );
});

test("for any recipe and any stage, changing its steps invalidates exactly it and its descendants", () => {
  fc.assert(
    fc.property(shape, fc.constantFrom("pre", "sft", "rm", "ppo", "dpo"), (s, stage) => {
      const base = plan(recipeOf(s));
      if (!base.nodes.some((n) => n.id === stage)) return;
      const r = recipeOf(s);
      const b = r.blocks.find((x) => x.name === stage)!;
      b.props = { ...b.props, steps: (b.props.steps as number) + 1 };
      const changed = plan(r);
      const before = new Map(base.nodes.map((n) => [n.id, n.hash]));
      const diff = changed.nodes.filter((n) => before.get(n.id) !== n.hash).map((n) => n.id).sort();
      assert.deepEqual(diff, [stage, ...descendants(base.nodes, stage)].sort());
    }),
    { numRuns: 25 },
  );
});
