import { test } from "node:test";
import { tempDir } from "./fixture.js";
import assert from "node:assert/strict";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { dataLayerFingerprint, SizesCache } from "../../src/plan/sizes-cache.js";

test("sizes cache: keyed by node hash, misses on another hash, survives a corrupt entry", () => {
  const dir = tempDir("alignc-sizes-");
  const cache = new SizesCache(dir);
  const h = "a".repeat(64);
  assert.equal(cache.get(h), undefined);
  cache.set(h, { examples: 3, tokens: 30, max_tokens: 12, heldout: 1 });
  assert.deepEqual(new SizesCache(dir).get(h), { examples: 3, tokens: 30, max_tokens: 12, heldout: 1 });
  assert.equal(cache.get("b".repeat(64)), undefined);
  const [file] = readdirSync(join(dir, "sizes"));
  writeFileSync(join(dir, "sizes", file!), "{not json");
  assert.equal(cache.get(h), undefined);
  assert.match(dataLayerFingerprint(), /^[0-9a-f]{64}$/);
});

test("sizes cache: a FIFO at an entry's path is a miss, not a read that waits for a writer forever (check and plan hung)", { skip: spawnSync("mkfifo", ["--version"]).status !== 0 && "mkfifo is not installed" }, () => {
  const dir = tempDir("alignc-sizes-fifo-");
  const cache = new SizesCache(dir);
  const h = "c".repeat(64);
  cache.set(h, { examples: 1, tokens: 2, max_tokens: 2, heldout: 0 });
  const [file] = readdirSync(join(dir, "sizes"));
  rmSync(join(dir, "sizes", file!));
  assert.equal(spawnSync("mkfifo", [join(dir, "sizes", file!)]).status, 0);
  assert.equal(cache.get(h), undefined);
});

// A source's size is counted in the recipe's default tokenizer, which the source's own hash does not
// cover: after a recipe changed its tokenizer (the quickstart's byte_level → bpe, 5 Dec 2026) `alignc plan`
// printed the byte-level token counts from the cache (≈68k tokens for the SFT mixture, ≈35k measured).
test("sizes cache: a source measured with one tokenizer is measured again when the recipe's tokenizer changes", async () => {
  const { compile } = await import("../../src/compile.js");
  const dir = tempDir("alignc-sizes-tok-");
  writeFileSync(join(dir, "d.jsonl"), Array.from({ length: 40 }, (_, i) => JSON.stringify({ q: `the cat sat on the mat ${i}`, a: "the cat sat" })).join("\n") + "\n");
  writeFileSync(join(dir, "corpus.txt"), "the cat sat on the mat\n".repeat(50));
  const recipe = (tok: string) =>
    `recipe r { seed = 1 }\ntokenizer t = ${tok}\nmodel m = gpt { tokenizer = t  layers = 1  d_model = 32  heads = 2  context = 64 }\n` +
    `source demos = jsonl("d.jsonl") as demonstrations { prompt = "{{q}}"  response = "{{a}}" }\nstage sft = sft { init = m  data = demos  steps = 1 }\n`;
  const tokensOf = async (tok: string, cache: boolean) => {
    writeFileSync(join(dir, "r.align"), recipe(tok));
    const r = await compile(join(dir, "r.align"), { cache, machine: false, leaks: false, truncation: false });
    assert.ok(r.plan, JSON.stringify(r.diagnostics));
    return r.plan.nodes.find((n) => n.id === "demos")!.estimates.size!.tokens;
  };
  await withCacheDir(join(dir, "cache"), async () => {
    const bytes = await tokensOf("byte_level {}", true);
    const bpe = `bpe { corpus = text("corpus.txt")  vocab_size = 300 }`;
    const fresh = await tokensOf(bpe, false);
    assert.ok(fresh < bytes, `bpe ${fresh} tokens, bytes ${bytes}: the fixture must tell them apart`);
    assert.equal(await tokensOf(bpe, true), fresh, "the cached byte-level count was shown for the bpe recipe");
  });
});

/** Runs `fn` with the sizes cache at `dir` (ALIGNC_CACHE_DIR), as it was after. */
async function withCacheDir(dir: string, fn: () => Promise<void>): Promise<void> {
  const saved = process.env.ALIGNC_CACHE_DIR;
  process.env.ALIGNC_CACHE_DIR = dir;
  try {
    await fn();
  } finally {
    if (saved === undefined) delete process.env.ALIGNC_CACHE_DIR;
    else process.env.ALIGNC_CACHE_DIR = saved;
  }
}

// A pretrain stage holds out its own share of the corpus, a parameter of the stage and not of its tokenize
// node: the cached held-out count of one recipe was served to another differing only in `holdout`, and
// AL4029 (a held-out gate with nothing held out) read it (review38 H1)
test("sizes cache: a pretrain stage's held-out count is its own holdout's, whatever another recipe cached", async () => {
  const { compile } = await import("../../src/compile.js");
  const dir = tempDir("alignc-sizes-holdout-");
  writeFileSync(join(dir, "corpus.txt"), Array.from({ length: 60 }, (_, i) => `the cat sat on the mat ${i}`).join("\n") + "\n");
  const heldoutOf = async (holdout: string) => {
    writeFileSync(join(dir, "r.align"), `recipe r { seed = 1 }\ntokenizer t = byte_level {}\nmodel m = gpt { tokenizer = t  layers = 1  d_model = 32  heads = 2  context = 64 }\nstage pre = pretrain { init = m  data = text("corpus.txt")  steps = 1  holdout = ${holdout} }\n`);
    const r = await compile(join(dir, "r.align"), { cache: true, machine: false, leaks: false, truncation: false });
    assert.ok(r.plan, JSON.stringify(r.diagnostics));
    return r.plan.nodes.find((n) => n.id === "pre/data/tokenize")?.estimates.size?.heldout;
  };
  await withCacheDir(join(dir, "cache"), async () => {
    assert.equal(await heldoutOf("0.5"), 30);
    assert.equal(await heldoutOf("0"), 0, "the held-out count cached for holdout 0.5 was served for holdout 0");
    assert.equal(await heldoutOf("0.5"), 30);
  });
});

// a source whose bad rows on_error = "skip" leaves out was sized by its line count: 900 examples where
// 599 were left (huntA39 F3); it is counted as built
test("a source with on_error = \"skip\" is sized by the rows it keeps, not by its lines", async () => {
  const { compile } = await import("../../src/compile.js");
  const dir = tempDir("alignc-sizes-skip-");
  const rows = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? JSON.stringify({ prompt: `q${i}`, chosen: `a${i}` }) : JSON.stringify({ prompt: `q${i}`, chosen: `a${i}`, rejected: `b${i}` })));
  writeFileSync(join(dir, "p.jsonl"), rows.join("\n") + "\n");
  writeFileSync(join(dir, "d.jsonl"), JSON.stringify({ prompt: "p", response: "r" }) + "\n");
  writeFileSync(
    join(dir, "r.align"),
    `recipe r { seed = 1 }\ntokenizer t = byte_level {}\nmodel m = gpt { tokenizer = t  layers = 1  d_model = 32  heads = 2  context = 64 }\n` +
      `source demos = jsonl("d.jsonl") as demonstrations {}\nsource prefs = jsonl("p.jsonl") as pairs { holdout = 0.1  on_error = "skip" }\n` +
      `stage sft = sft { init = m  data = demos  steps = 1 }\nstage rm = reward_model { init = sft  data = prefs  steps = 1 }\n`,
  );
  const r = await compile(join(dir, "r.align"), { cache: false, machine: false, leaks: false, truncation: false });
  assert.ok(r.plan, JSON.stringify(r.diagnostics));
  const size = r.plan.nodes.find((n) => n.id === "prefs")!.estimates.size!;
  assert.equal(size.examples + (size.heldout ?? 0), 20, `the 20 good rows of 30 (${JSON.stringify(size)})`);
});

// The data layer's fingerprint (sizes, truncation and leak caches) covers the libraries it reads with: an
// `npm update` of handlebars could change rendered rows and left the caches' findings standing (audit33 M2)
test("the data layer's fingerprint reads every rendering and parsing library's installed version", async () => {
  const { DATA_LIBRARIES, installedVersion } = await import("../../src/plan/sizes-cache.js");
  const { repoRoot } = await import("../../src/common/repo-root.js");
  for (const name of DATA_LIBRARIES) assert.match(installedVersion(repoRoot(), name), /^\d+\.\d+\.\d+/, name);
  assert.equal(installedVersion(repoRoot(), "no-such-library-here"), "?");
  // alignc installed as a dependency: its libraries hoisted to the project's node_modules, above alignc's folder
  assert.equal(installedVersion(join(repoRoot(), "node_modules", "no-such-package"), "handlebars"), installedVersion(repoRoot(), "handlebars"));
  assert.match(dataLayerFingerprint(), /^[0-9a-f]{64}$/);
});

// The default tokenizer is chosen blind to block names (review33 L10: "the first model" was first by id,
// so renaming a model `aa` to `zzz` changed a source's size from ≈48 to ≈36 tokens, hashes unchanged),
// also where a tie is broken (review34 M1: by settings that named a corpus source, which a rename changed)
test("a source's size in the default tokenizer: renaming a model, a tokenizer or a corpus source changes nothing; the most models' tokenizer counts", async () => {
  const { compile } = await import("../../src/compile.js");
  const dir = tempDir("alignc-sizes-name-");
  writeFileSync(join(dir, "d.jsonl"), Array.from({ length: 30 }, (_, i) => JSON.stringify({ q: `the cat sat on the mat ${i}`, a: "the cat sat" })).join("\n") + "\n");
  writeFileSync(join(dir, "corpus.txt"), "the cat sat on the mat\n".repeat(50));
  writeFileSync(join(dir, "other.txt"), "a dog ran far away from home\n".repeat(50));
  const model = (name: string, tok: string) => `model ${name} = gpt { tokenizer = ${tok}  layers = 1  d_model = 32  heads = 2  context = 64 }\nstage s_${name} = sft { init = ${name}  data = demos  steps = 1 }\n`;
  const demos = `source demos = jsonl("d.jsonl") as demonstrations { prompt = "{{q}}"  response = "{{a}}" }\n`;
  const recipe = (tokenizers: string, models: [string, string][]) => `recipe r { seed = 1 }\n${tokenizers}${models.map(([m, t]) => model(m, t)).join("")}${demos}`;
  const twoTokenizers = (bpe: string, bytes: string) => `tokenizer ${bpe} = bpe { corpus = text("corpus.txt")  vocab_size = 300 }\ntokenizer ${bytes} = byte_level {}\n`;
  const tokens = async (text: string) => {
    writeFileSync(join(dir, "r.align"), text);
    const r = await compile(join(dir, "r.align"), { cache: false, machine: false, leaks: false, truncation: false });
    assert.ok(r.plan, JSON.stringify(r.diagnostics));
    return r.plan.nodes.find((n) => n.id === "demos")!.estimates.size!.tokens;
  };
  const base = await tokens(recipe(twoTokenizers("bpe_t", "bytes_t"), [["zz", "bytes_t"], ["aa", "bpe_t"]]));
  for (const [m1, m2, t1, t2] of [["aa", "zz", "bpe_t", "bytes_t"], ["zz", "aaa", "zbpe", "abytes"], ["b", "a", "t2", "t1"]] as const)
    assert.equal(await tokens(recipe(twoTokenizers(t1, t2), [[m1, t2], [m2, t1]])), base, `renamed to ${m1}/${m2}/${t1}/${t2}: another tokenizer counted`);
  // a third model on one tokenizer: that one counts, as when it is the recipe's only tokenizer
  const only = async (bpe: boolean) => tokens(recipe(bpe ? `tokenizer t = bpe { corpus = text("corpus.txt")  vocab_size = 300 }\n` : "tokenizer t = byte_level {}\n", [["m", "t"]]));
  const [bpeOnly, bytesOnly] = [await only(true), await only(false)];
  assert.notEqual(bpeOnly, bytesOnly, "the fixture must tell the two tokenizers apart");
  assert.equal(await tokens(recipe(twoTokenizers("zbpe", "abytes"), [["aa", "abytes"], ["zz", "zbpe"], ["mm", "zbpe"]])), bpeOnly);
  assert.equal(await tokens(recipe(twoTokenizers("zbpe", "abytes"), [["aa", "abytes"], ["zz", "zbpe"], ["mm", "abytes"]])), bytesOnly);
  // two BPE tokenizers on two corpus sources, one model each: renaming a source must not change which counts
  const corpora = (x: string, y: string) =>
    `source ${x} = text("corpus.txt") as text\nsource ${y} = text("other.txt") as text\ntokenizer tx = bpe { corpus = ${x}  vocab_size = 300 }\ntokenizer ty = bpe { corpus = ${y}  vocab_size = 300 }\n`;
  const tied = await tokens(recipe(corpora("src_x", "src_y"), [["m1", "tx"], ["m2", "ty"]]));
  const alone = async (t: string) => tokens(recipe(corpora("src_x", "src_y"), [["m1", t]]));
  assert.notEqual(await alone("tx"), await alone("ty"), "the fixture must tell the two BPE tokenizers apart");
  for (const [x, y] of [["zzz_x", "src_y"], ["src_x", "aaa_y"], ["a", "b"], ["b", "a"]] as const)
    assert.equal(await tokens(recipe(corpora(x, y), [["m1", "tx"], ["m2", "ty"]])), tied, `sources renamed to ${x}/${y}: another tokenizer counted`);
});

// A sweep of a model's tokenizer (or a stage's init, which picks its model) changes every token count
// downstream; the plan measured the first variant only and printed its counts for all (review34: a
// byte-level variant showed the subword variant's ≈154k tokens of rankings, time estimates with them)
test("a sweep of a model's tokenizer, a stage's init or a pretraining stage's holdout: each variant's sizes are its own, as with its value written in", async () => {
  const { compile } = await import("../../src/compile.js");
  const dir = tempDir("alignc-sizes-sweep-");
  writeFileSync(join(dir, "d.jsonl"), Array.from({ length: 30 }, (_, i) => JSON.stringify({ q: `the cat sat on the mat ${i}`, a: "the cat sat" })).join("\n") + "\n");
  writeFileSync(join(dir, "corpus.txt"), Array.from({ length: 50 }, (_, i) => `the cat sat on the mat ${i}`).join("\n") + "\n");
  const head = `tokenizer bpe_t = bpe { corpus = text("corpus.txt")  vocab_size = 300 }\ntokenizer bytes_t = byte_level {}\n` +
    `source demos = jsonl("d.jsonl") as demonstrations { prompt = "{{q}}"  response = "{{a}}" }\n`;
  const model = (name: string, tok: string) => `model ${name} = gpt { tokenizer = ${tok}  layers = 1  d_model = 32  heads = 2  context = 64 }\n`;
  const stageTokens = async (text: string, variant?: string) => {
    writeFileSync(join(dir, "r.align"), text);
    const r = await compile(join(dir, "r.align"), { cache: false, machine: false, leaks: false, ...(variant ? { variant } : {}) });
    assert.ok(r.plan, JSON.stringify(r.diagnostics));
    return r.plan.nodes.filter((n) => n.kind === "stage" || n.kind === "eval").map((n) => [n.id, n.estimates.tokens] as const);
  };
  const sft = (init: string) => `stage s = sft { init = ${init}  data = demos  steps = 1 }\n`;
  const cases = [
    { label: "tokenizer", values: ["bpe_t", "bytes_t"], text: (v: string) => model("m", v) + sft("m") },
    { label: "init", values: ["m1", "m2"], text: (v: string) => model("m1", "bpe_t") + model("m2", "bytes_t") + sft(v) },
    // the held-out share sizes the eval that reads it (review35 L1)
    { label: "holdout", node: "e", values: ["0.1", "0.5"], text: (v: string) => model("m", "bpe_t") + `stage p = pretrain { init = m  data = text("corpus.txt")  steps = 1  holdout = ${v} }\neval e = lm_loss { model = p  data = heldout(p) }\n` },
  ];
  for (const c of cases) {
    const node = "node" in c ? c.node : "s";
    const all = (await stageTokens(`recipe r { seed = 1 }\n${head}${c.text(`sweep [${c.values.join(", ")}]`)}`)).filter(([id]) => id.startsWith(`${node}[`));
    assert.equal(all.length, 2, JSON.stringify(all));
    const written = await Promise.all(c.values.map(async (v) => (await stageTokens(`recipe r { seed = 1 }\n${head}${c.text(v)}`)).find(([id]) => id === node)![1]));
    assert.notEqual(written[0], written[1], "the fixture must tell the two tokenizers apart");
    for (const [i, v] of c.values.entries()) assert.equal(all.find(([id]) => id.includes(`=${v}]`))?.[1], written[i], `${c.label} = sweep: variant ${v}`);
  }
});

// hunt36 #1: a BPE corpus the data layer cannot read was exit 70 in plan, run, diff and test (check passed)
test("a BPE tokenizer whose corpus cannot be read (rows without the text field) is the corpus file's located error in plan and run, not a crash", async () => {
  const { compile } = await import("../../src/compile.js");
  const { compileForRun } = await import("../../src/run/compile-run.js");
  const dir = tempDir("alignc-bpe-bad-");
  writeFileSync(join(dir, "rows.jsonl"), `{"instruction":"hi","response":"yo"}\n`.repeat(30));
  writeFileSync(join(dir, "corpus.txt"), "hello world\n".repeat(30));
  writeFileSync(
    join(dir, "r.align"),
    `recipe r { seed = 1 }\ntokenizer sub = bpe { corpus = jsonl("rows.jsonl")  vocab_size = 300 }\nmodel m = gpt { tokenizer = sub  layers = 1  d_model = 32  heads = 2  context = 64 }\nstage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  batch_size = 2 }\n`,
  );
  const run = await compileForRun(join(dir, "r.align"));
  assert.equal(run.plan, null, "nothing runs");
  for (const r of [await compile(join(dir, "r.align"), { cache: false, machine: false }), run]) {
    const d = r.diagnostics.find((x) => x.code === "AL3003" && x.severity === "error");
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.match(d.file, /rows\.jsonl$/);
    assert.equal(d.span?.line, 1);
  }
});

test("a BPE tokenizer whose corpus holds no text (blank lines) is AL3050 at its corpus, not a tokenizer of bytes alone said nowhere", async () => {
  const { compileForRun } = await import("../../src/run/compile-run.js");
  const dir = tempDir("alignc-bpe-empty-");
  writeFileSync(join(dir, "empty.txt"), "\n  \n");
  writeFileSync(join(dir, "corpus.txt"), "hello world\n".repeat(30));
  writeFileSync(
    join(dir, "r.align"),
    `recipe r { seed = 1 }\ntokenizer sub = bpe { corpus = text("empty.txt")  vocab_size = 300 }\nmodel m = gpt { tokenizer = sub  layers = 1  d_model = 32  heads = 2  context = 64 }\nstage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  batch_size = 2 }\n`,
  );
  const r = await compileForRun(join(dir, "r.align"));
  assert.equal(r.plan, null);
  const d = r.diagnostics.find((x) => x.code === "AL3050")!;
  assert.match(d.message, /its corpus holds no text to learn merges from/);
  assert.deepEqual([d.span?.line, d.span?.col], [2, 32]);
});
