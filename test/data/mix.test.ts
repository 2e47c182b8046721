import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { allocate, componentCounts, mix, normalizeText, type MixComponent } from "../../src/data/mix.js";
import type { PromptResponse } from "../../src/data/types.js";
import { mixtureDropsLine } from "../../src/data/view.js";

const examples = (name: string, n: number, category?: string): PromptResponse[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${name}:${i}`, prompt: `${name} prompt ${i}`, response: `r${i}`, meta: { source: name, ...(category ? { category } : {}) } }));

test("allocate: largest remainder sums exactly", () => {
  assert.deepEqual(allocate([1, 1, 1], 10), [4, 3, 3]);
  fc.assert(
    fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 8 }), fc.nat(5000), (shares, total) => {
      const out = allocate(shares, total);
      assert.equal(out.reduce((a, b) => a + b, 0), shares.some((s) => s > 0) ? total : 0);
    }),
  );
});

test("property: examples-proportional with caps — counts ∝ min(n, cap), caps never exceeded", () => {
  const compArb = fc.array(fc.record({ n: fc.integer({ min: 1, max: 400 }), cap: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }) }), { minLength: 1, maxLength: 5 });
  fc.assert(
    fc.property(compArb, fc.option(fc.integer({ min: 1, max: 1500 }), { nil: undefined }), fc.integer(), (comps, total, seed) => {
      const parts: MixComponent[] = comps.map((c, i) => ({ name: `t${i}`, examples: examples(`t${i}`, c.n), proportional: true, ...(c.cap !== undefined ? { cap: c.cap } : {}) }));
      const r = mix(parts, { seed, total, dedup: "none" });
      const sizes = comps.map((c) => Math.min(c.n, c.cap ?? Infinity));
      comps.forEach((c, i) => {
        const got = r.counts[`t${i}`]!;
        assert.ok(got <= sizes[i]!, `cap exceeded: ${got} > ${sizes[i]}`);
        assert.equal(r.examples.filter((e) => e.meta.source === `t${i}`).length, got);
      });
      const sum = sizes.reduce((a, b) => a + b, 0);
      if (total === undefined) assert.deepEqual(comps.map((_, i) => r.counts[`t${i}`]), sizes);
      else {
        assert.equal(r.examples.length, Math.min(total, sum));
        // below saturation the rates are proportional to the capped sizes (±1 for rounding)
        if (total <= sum) {
          const scale = total / sum;
          comps.forEach((_, i) => assert.ok(r.counts[`t${i}`]! >= Math.floor(sizes[i]! * scale) - 1, `t${i}: ${r.counts[`t${i}`]} vs ${sizes[i]! * scale}`));
        }
      }
    }),
    { numRuns: 150 },
  );
});

test("property: mixture proportions hold in any prefix within statistical tolerance (seeded shuffle)", () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 50, max: 300 }), fc.integer({ min: 50, max: 300 }), (seed, a, b) => {
      const r = mix([{ name: "a", examples: examples("a", a), proportional: true }, { name: "b", examples: examples("b", b), proportional: true }], { seed, dedup: "none" });
      const m = Math.floor(r.examples.length / 3);
      const p = a / (a + b);
      const got = r.examples.slice(0, m).filter((e) => e.meta.source === "a").length / m;
      const sd = Math.sqrt((p * (1 - p)) / m);
      assert.ok(Math.abs(got - p) <= 5 * sd + 1e-9, `prefix share ${got} vs ${p} ± ${5 * sd}`);
    }),
    { numRuns: 100 },
  );
});

test("weights repeat a component; same seed → same mixture, another seed → another order, same multiset", () => {
  const parts: MixComponent[] = [{ name: "a", examples: examples("a", 10), weight: 2.5 }, { name: "b", examples: examples("b", 40), proportional: true, cap: 20 }];
  const r = mix(parts, { seed: 1, dedup: "exact" });
  assert.equal(r.counts.a, 25);
  assert.equal(r.counts.b, 20);
  assert.deepEqual(mix(parts, { seed: 1, dedup: "exact" }).examples.map((e) => e.id), r.examples.map((e) => e.id));
  const full = [{ name: "a", examples: examples("a", 30), proportional: true }];
  const x = mix(full, { seed: 1, dedup: "exact" }).examples.map((e) => e.id);
  const y = mix(full, { seed: 2, dedup: "exact" }).examples.map((e) => e.id);
  assert.notDeepEqual(x, y);
  assert.deepEqual([...x].sort(), [...y].sort());
  // a capped component stops at its cap; a weighted one repeats to fill the total
  assert.deepEqual(componentCounts([{ n: 100, proportional: true, cap: 10 }, { n: 50, weight: 1 }], 200), [10, 190]);
});

test("dedup: exact and normalised (case, spaces, punctuation); first occurrence wins", () => {
  const ex = (id: string, prompt: string): PromptResponse => ({ id, prompt, response: "r", meta: { source: "s" } });
  const comps = [{ name: "s", examples: [ex("1", "Hello, world"), ex("2", "hello world!"), ex("3", "Hello, world"), ex("4", "other")], proportional: true }];
  assert.deepEqual(mix(comps, { seed: 0, dedup: "exact" }).examples.map((e) => e.id).sort(), ["1", "2", "4"]);
  const n = mix(comps, { seed: 0, dedup: "normalized" });
  assert.deepEqual(n.examples.map((e) => e.id).sort(), ["1", "4"]);
  assert.equal(n.dropped.duplicates, 2);
  assert.equal(normalizeText("  A,  b!C "), "a bc");
});

test("dedup counts the dropped examples answered otherwise than the kept one, and data --stats says so (it was silent)", () => {
  const ex = (id: string, prompt: string, response: string): PromptResponse => ({ id, prompt, response, meta: { source: "s" } });
  const comps = [{ name: "s", examples: [ex("1", "Write a positive phrase.", "very good"), ex("2", "Write a positive phrase.", "so fine"), ex("3", "Write a positive phrase.", "very good"), ex("4", "2+2?", "4")], proportional: true }];
  const r = mix(comps, { seed: 0, dedup: "exact" });
  assert.deepEqual(r.examples.map((e) => e.id).sort(), ["1", "4"]);
  assert.deepEqual(r.dropped, { duplicates: 2, differentResponse: 1, length: 0, quota: 0 });
  assert.equal(
    mixtureDropsLine({ mixture: "m", dedup: "exact", ...r.dropped }),
    'mixture m: dedup = "exact" dropped 2 examples whose prompt repeats an earlier one (1 of them with another response: write dedup = "none" to keep those)',
  );
  assert.deepEqual(mix(comps, { seed: 0, dedup: "none" }).dropped, { duplicates: 0, differentResponse: 0, length: 0, quota: 0 });
});

test("LIMA selection: length bounds and per-category quotas, then the total", () => {
  const pool = [...examples("d", 300, "qa"), ...examples("e", 100, "poem")].map((e, i) => ({ ...e, response: "x".repeat(1 + (i % 50)), meta: { ...e.meta, source: "demos" } }));
  const r = mix([{ name: "demos", examples: pool, weight: 1 }], { seed: 4, total: 150, dedup: "exact", minLength: 5, perCategory: 120 });
  assert.equal(r.examples.length, 150);
  assert.ok(r.examples.every((e) => e.response.length >= 5));
  const byCat = (c: string) => r.examples.filter((e) => e.meta.category === c).length;
  assert.ok(byCat("qa") <= 120 && byCat("poem") <= 120);
  assert.ok(r.dropped.length > 0 && r.dropped.quota > 0);
});

test("per_category: a FLAN task's examples are a category of their own whatever the task is named (a task named like a demonstrations category, or `general`, shared its quota)", async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { checkRecipeText } = await import("../../src/check/index.js");
  const { buildExamples } = await import("../../src/data/build.js");
  const dir = mkdtempSync(join(tmpdir(), "alignc-quota-"));
  try {
    const lines = (f: (i: number) => object) => Array.from({ length: 4 }, (_, i) => JSON.stringify(f(i + 1))).join("\n") + "\n";
    writeFileSync(join(dir, "demos.jsonl"), lines((i) => ({ instruction: `demo question ${i}`, response: `demo answer ${i}` })));
    writeFileSync(join(dir, "rows.jsonl"), lines((i) => ({ text: `word${i}`, answer: `WORD${i}` })));
    mkdirSync(join(dir, "tpl"));
    writeFileSync(join(dir, "tpl", "01-up.hbs"), "Uppercase: {{text}}\n|||\n{{answer}}\n");
    writeFileSync(join(dir, "tpl", "02-shout.hbs"), "Shout {{text}}\n|||\n{{answer}}\n");
    const counts: number[] = [];
    for (const name of ["flanx", "general"]) {
      const src = `recipe r { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  context = 64 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
task ${name} = flan { data = jsonl("rows.jsonl")  templates = dir("tpl")  holdout = 0 }
mixture m = mix {
  ${name}: proportional
  demos: proportional
  per_category = 2
}
stage sft = sft { init = tiny  data = m  steps = 1 }
`;
      const { recipe, diagnostics } = await checkRecipeText(src, join(dir, `${name}.align`));
      assert.ok(recipe, JSON.stringify(diagnostics));
      const built = await buildExamples(recipe!, "m");
      counts.push(built.kind === "sft" ? built.train.length : -1);
    }
    // the demos (no category: "general") keep 2, the task its own 2, under either name
    assert.deepEqual(counts, [4, 4]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The plan hashes what a component is, never its name: two components that are the same data hashed
// alike whichever name carried which clauses, while the engine ordered them by name (dedup keeps the
// first): two recipes swapping the clauses got one hash and 50 against 120 examples (audit33 H1).
test("two components of one mixture that are the same data are refused, located at the mixture (one hash could not tell them apart)", async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { checkRecipeText } = await import("../../src/check/index.js");
  const { buildExamples } = await import("../../src/data/build.js");
  const { DataError } = await import("../../src/data/diag.js");
  const dir = mkdtempSync(join(tmpdir(), "alignc-twins-"));
  try {
    writeFileSync(join(dir, "demos.jsonl"), Array.from({ length: 6 }, (_, i) => JSON.stringify({ instruction: `q ${i}`, response: `a ${i}` })).join("\n") + "\n");
    const src = (d2: string) => `recipe r { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  context = 64 }
source d1 = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
source d2 = jsonl("demos.jsonl") as demonstrations { prompt = "${d2}"  response = "{{response}}" }
mixture m = mix {
  d1: proportional cap 2
  d2: weight 1.0
}
stage sft = sft { init = tiny  data = m  steps = 1 }
`;
    const { recipe } = await checkRecipeText(src("{{instruction}}"), join(dir, "twins.align"));
    await assert.rejects(buildExamples(recipe!, "m"), (e: Error) => e instanceof DataError && /mixture `m`: components `d1` and `d2` are the same data; give it once, with the clauses you mean/.test(e.message) && e.diagnostics[0]!.span!.line === 6);
    // differing data (another prompt template): a mixture as before
    const { recipe: other } = await checkRecipeText(src("Answer: {{instruction}}"), join(dir, "other.align"));
    const built = await buildExamples(other!, "m");
    assert.ok(built.kind === "sft");
    assert.deepEqual([...new Set(built.train.map((x) => x.meta.source))].sort(), ["d1", "d2"], "both components in it");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
