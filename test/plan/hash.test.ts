import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { CheckedBlock, IRRecord } from "../../src/check/ir.js";
import { planRecipe } from "../../src/plan/compile.js";
import { canonicalJson } from "../../src/plan/canonical.js";
import { descendants } from "../../src/common/graph.js";
import type { Plan } from "../../src/plan/types.js";
import { block, call, findBlock, QUICK_FILES, quickRecipe, ref, tempFiles } from "./fixture.js";

const ENGINE = { alignc: "0.0.0-test", epoch: 1 };
const root = tempFiles(QUICK_FILES);
const compile = (opts: Parameters<typeof quickRecipe>[0] = {}): Plan => {
  const r = planRecipe(quickRecipe({ root, ...opts }), { engine: ENGINE });
  assert.deepEqual(r.diagnostics, []);
  return r.plan!;
};
const hashes = (p: Plan) => new Map(p.nodes.map((n) => [n.id, n.hash]));

test("renaming every block leaves every hash unchanged (ids follow the names)", () => {
  const names = ["chars", "tiny", "sentiment", "addition", "demos", "prefs", "sft_data", "chat", "pre", "sft", "rm", "policy", "rm_acc", "judge", "zero_shot"];
  fc.assert(
    fc.property(fc.shuffledSubarray(names, { minLength: 1 }), (picked) => {
      const rename = Object.fromEntries(picked.map((n) => [n, `${n}_renamed`]));
      const a = compile();
      const b = compile({ rename });
      assert.deepEqual([...hashes(a).values()].sort(), [...hashes(b).values()].sort());
      for (const n of a.nodes) {
        // the block's node keeps its hash under its new name
        if (n.block && rename[n.block]) assert.equal(hashes(b).get(n.id.replace(n.block, rename[n.block]!)), n.hash, n.id);
      }
    }),
    { numRuns: 15 },
  );
});

test("reordering declarations gives the identical plan", () => {
  assert.equal(canonicalJson(compile({ reverse: true })), canonicalJson(compile()));
});

test("property key order does not change the plan", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
      let s = seed;
      const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const shuffleKeys = (r: IRRecord): IRRecord => Object.fromEntries(Object.entries(r).sort(() => rand() - 0.5));
      const b = compile({ patch: (blocks) => blocks.forEach((blk) => (blk.props = shuffleKeys(blk.props))) });
      assert.equal(canonicalJson(b), canonicalJson(compile()));
    }),
    { numRuns: 10 },
  );
});

/** Numeric properties whose change must invalidate exactly the block's main node and its descendants. */
const KNOBS: [block: string, prop: string][] = [
  ["tiny", "layers"],
  ["tiny", "d_model"],
  ["tiny", "context"],
  ["sentiment", "invert"],
  ["addition", "holdout"],
  ["prefs", "holdout"],
  ["pre", "steps"],
  ["pre", "lr"],
  ["sft", "lr"],
  ["sft", "steps"],
  ["rm", "steps"],
  ["policy", "kl_coef"],
  ["policy", "ptx_coef"],
  ["judge", "n"],
];

test("one parameter change invalidates exactly the node and its descendants", () => {
  const base = compile();
  fc.assert(
    fc.property(fc.constantFrom(...KNOBS), fc.integer({ min: 2, max: 9 }), ([blockName, prop], k) => {
      const changed = compile({
        patch: (blocks) => {
          const b = findBlock(blocks, blockName);
          const old = b.props[prop] as number;
          b.props = { ...b.props, [prop]: Number.isInteger(old) && old > 1 ? old * k : old / k };
        },
      });
      const expected = new Set([blockName, ...descendants(base.nodes, blockName)]);
      const before = hashes(base);
      const diffIds = changed.nodes.filter((n) => before.get(n.id) !== n.hash).map((n) => n.id);
      assert.deepEqual(diffIds.sort(), [...expected].sort(), `${blockName}.${prop}`);
    }),
    { numRuns: 30 },
  );
});

test("parameters no computation reads (log_every, checkpoint_every, description; a model's hf, read by export only) do not enter the hash", () => {
  const base = compile();
  const changed = compile({
    patch: (blocks: CheckedBlock[]) => {
      for (const b of blocks) if (b.keyword === "stage") b.props = { ...b.props, log_every: 1, checkpoint_every: 7 };
      for (const b of blocks) if (b.keyword === "model") b.props = { ...b.props, hf: "gpt2" };
    },
  });
  assert.equal(changed.nodes.find((n) => n.kind === "model")!.params.hf, "gpt2", "the plan still carries it, for export");
  assert.deepEqual(hashes(changed), hashes(base));
});

test("parameters a node's other values leave unread (win_rate's select and temperature at best_of 1; PPO's accumulate, and ptx_data at ptx_coef 0) do not enter its hash, nor do the inputs only they name", () => {
  // the unread values written draw the plan's warnings (AL4004, AL4022, AL4024), not errors
  const patched = (judge: Record<string, unknown>, policy: Record<string, unknown>): Plan => {
    const r = planRecipe(
      quickRecipe({
        root,
        patch: (blocks: CheckedBlock[]) => {
          const j = findBlock(blocks, "judge");
          j.props = { ...j.props, best_of: 1, temperature: 1, ...judge } as CheckedBlock["props"];
          const p = findBlock(blocks, "policy");
          p.props = { ...p.props, ...policy } as CheckedBlock["props"];
        },
      }),
      { engine: ENGINE },
    );
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
    return r.plan!;
  };
  const base = patched({}, { ptx_coef: 0, ptx_data: null, accumulate: 1 });
  const written = patched({ temperature: 0.7, select: { $ref: "rm" } }, { ptx_coef: 0, accumulate: 4 }); // ptx_data: the fixture's sft_data
  const node = (p: Plan, id: string) => p.nodes.find((n) => n.id === id)!;
  assert.equal(node(written, "judge").params.temperature, 0.7, "the plan still says what the recipe wrote (and warns)");
  assert.ok(node(written, "policy").inputs.some((i) => i.startsWith("sft_data")), "ptx_data's chain is still an input of the node");
  assert.equal(node(written, "judge").hash, node(base, "judge").hash);
  assert.equal(node(written, "policy").hash, node(base, "policy").hash);
  // read once they matter: a best-of-4 judge, a PPO with a ptx term
  assert.notEqual(node(patched({ best_of: 4, temperature: 0.7, select: { $ref: "rm" } }, {}), "judge").hash, node(patched({ best_of: 4, temperature: 1, select: { $ref: "rm" } }, {}), "judge").hash);
  assert.notEqual(node(patched({}, { ptx_coef: 0.5 }), "policy").hash, node(patched({}, { ptx_coef: 0.5, ptx_data: { $ref: "demos" } }), "policy").hash);
});

test("a file's content, not its path, enters the hash of the node that reads it", () => {
  const other = tempFiles(QUICK_FILES);
  const a = compile();
  const b = planRecipe(quickRecipe({ root: other }), { engine: ENGINE }).plan!;
  assert.deepEqual(hashes(b), hashes(a), "same contents in another folder: same hashes");
  writeFileSync(join(other, "recipes/data/demos.jsonl"), '{"instruction":"hi","response":"hello there"}\n');
  const c = planRecipe(quickRecipe({ root: other }), { engine: ENGINE }).plan!;
  const changed = c.nodes.filter((n) => hashes(a).get(n.id) !== n.hash).map((n) => n.id);
  assert.deepEqual(changed.sort(), ["demos", ...descendants(a.nodes, "demos")].sort());
});

test("the engine version enters every hash", () => {
  const a = compile();
  const b = planRecipe(quickRecipe({ root }), { engine: { alignc: ENGINE.alignc, epoch: 2 } }).plan!;
  for (const n of b.nodes) assert.notEqual(n.hash, hashes(a).get(n.id), n.id);
});

test("a reference hashes through the referenced node, not its name", () => {
  // two models with different shapes, sft pointed at one or the other under the same name
  const a = compile();
  const b = compile({ patch: (blocks) => (findBlock(blocks, "tiny").props = { ...findBlock(blocks, "tiny").props, heads: 8 }) });
  assert.notEqual(hashes(b).get("sft"), hashes(a).get("sft"));
});

test("flan_templates without a task name reads the block's name: renaming that block changes its hash", () => {
  const files = tempFiles({ ...QUICK_FILES, "recipes/flan.json": "{}" });
  const withTemplates = (task?: string) => (blocks: CheckedBlock[]) => {
    const b = blocks.find((x) => x.keyword === "task")!;
    b.props = { ...b.props, templates: { $call: "flan_templates", args: task ? [join(files, "recipes/flan.json"), task] : [join(files, "recipes/flan.json")] } };
  };
  const plan = (opts: Parameters<typeof quickRecipe>[0]) => planRecipe(quickRecipe({ root: files, ...opts }), { engine: ENGINE }).plan!;
  const implicit = plan({ patch: withTemplates() });
  const renamed = plan({ patch: withTemplates(), rename: { sentiment: "sst2" } });
  assert.notEqual(renamed.nodes.find((n) => n.id === "sst2")!.hash, implicit.nodes.find((n) => n.id === "sentiment")!.hash);
  const explicit = plan({ patch: withTemplates("sentiment"), rename: { sentiment: "sst2" } });
  assert.equal(explicit.nodes.find((n) => n.id === "sst2")!.hash, implicit.nodes.find((n) => n.id === "sentiment")!.hash);
  assert.deepEqual(explicit.nodes.find((n) => n.id === "sst2")!.params.templates, { $call: "flan_templates", args: [{ $file: "flan.json" }, "sentiment", "v1"] });
});

test("two recipes identical but for the seed: every node's hash differs (splits, draws, init and training are all seeded)", () => {
  const reseeded = quickRecipe({ root });
  reseeded.seed = 3;
  reseeded.header = { ...reseeded.header, seed: 3 };
  const a = compile();
  const b = planRecipe(reseeded, { engine: ENGINE }).plan!;
  assert.deepEqual(b.nodes.map((n) => n.id), a.nodes.map((n) => n.id));
  const hb = hashes(b);
  for (const n of a.nodes) {
    assert.equal(n.params.seed, 17, n.id);
    assert.notEqual(hb.get(n.id), n.hash, `${n.id} kept its hash under another seed`);
  }
  // the data nodes whose outputs the seed decides are among them (the lima/quickstart corpus split)
  assert.ok(a.nodes.some((n) => n.kind === "data" && n.op === "tokenize" && n.params.split === "all"));
});

test("an eval of a model that never trained in a format hashes the format it is prompted in (base_format)", () => {
  // lm_pre scores the pretrained model on demonstrations in the chat format of the stage trained from it (SFT's)
  const withPreEval = (system: string) =>
    compile({
      patch: (blocks) => {
        const chat = findBlock(blocks, "chat");
        chat.props = { ...chat.props, system };
        blocks.push(block({ keyword: "eval", name: "lm_pre", kind: "lm_loss", props: { model: ref("pre"), data: call("heldout", ref("demos")) } }));
      },
    });
  const a = withPreEval("");
  const b = withPreEval("Be brief.");
  const node = (p: Plan, id: string) => p.nodes.find((n) => n.id === id)!;
  assert.deepEqual(node(a, "lm_pre").params.base_format, node(a, "sft").params.format, "the format of the stage trained from it, inlined");
  assert.ok(node(a, "lm_pre").files.some((f) => f.path.endsWith("plain.hbs")), "its template is among the eval's files");
  assert.notEqual(node(b, "lm_pre").hash, node(a, "lm_pre").hash, "a new system prompt re-scores the base model");
  // an eval of a model that trained in a format reads that one: no base_format
  assert.equal(node(a, "zero_shot").params.base_format, undefined);
});
