// `alignc data --stats` on a text pool says when a BPE tokenizer's corpus holds its held-out lines: held
// out from every model, not from the merges (figures38 #13: the quickstart's "137 held-out" lines are all
// in its tokenizer's corpus, said by --leaks and the report, not by --stats).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT } from "./recipe-fixture.js";

const BIN = resolve(ROOT, "bin/alignc.js");
const lines = Array.from({ length: 40 }, (_, i) => `line number ${i} of the corpus`).join("\n") + "\n";

function stats(recipe: string, json = false): { code: number | null; out: string; err: string } {
  const dir = mkdtempSync(join(tmpdir(), "alignc-tok-stats-"));
  try {
    writeFileSync(join(dir, "corpus.txt"), lines);
    writeFileSync(join(dir, "other.txt"), lines.replace(/corpus/g, "other text"));
    writeFileSync(join(dir, "r.align"), recipe);
    const r = spawnSync(process.execPath, [BIN, "data", join(dir, "r.align"), "--source", "pre", "--stats", "--preview", "0", ...(json ? ["--json"] : [])], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const recipe = (corpus: string) => `recipe r { seed = 1 }
tokenizer sub = bpe { corpus = text("${corpus}")  vocab_size = 300 }
model tiny = gpt { tokenizer = sub }
stage pre = pretrain { init = tiny  data = text("corpus.txt")  holdout = 0.25  steps = 1 }
`;

test("held-out lines a BPE tokenizer's corpus holds are said to be, with their count, in text and in JSON", () => {
  const r = stats(recipe("corpus.txt"));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /pre\.data: 30 lines, 10 held-out\n[^\n]*\n  10 of the 10 held-out lines are in tokenizer `sub`'s corpus: held out from every model, not from its merges/);
  const j = stats(recipe("corpus.txt"), true);
  assert.equal(j.code, 0, j.err);
  assert.deepEqual(JSON.parse(j.out).data[0].heldout_in_tokenizer_corpora, [{ tokenizer: "sub", count: 10 }]);
});

test("a tokenizer fit on other text: nothing said", () => {
  const r = stats(recipe("other.txt"));
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /tokenizer `sub`'s corpus/);
});
