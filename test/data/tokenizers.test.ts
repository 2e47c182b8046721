import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bpeTokenizer, byteLevel, gpt2, trainBpe, trainBpeReference } from "../../src/data/tokenizers.js";

const corpus = ["the cat sat on the mat.", "the dog sat on the log.", "4 plus 3 is 7.", "Very good is positive.", "CAT in capitals"];

test("property: byte-level and BPE round-trip any string", () => {
  const b = byteLevel();
  const bpe = bpeTokenizer(trainBpe(corpus, 320));
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (s) => {
      assert.equal(b.decode(b.encode(s)), s);
      assert.equal(bpe.decode(bpe.encode(s)), s);
      assert.ok(bpe.encode(s).every((i) => i >= 0 && i < bpe.vocabSize));
    }),
    { numRuns: 300 },
  );
  assert.equal(b.vocabSize, 259);
  assert.deepEqual([b.eos, b.pad, b.bos], [256, 257, 258]);
});

test("BPE training is deterministic and compresses its corpus", () => {
  const a = trainBpe(corpus, 300);
  const b = trainBpe([...corpus], 300);
  assert.deepEqual(a, b);
  const tok = bpeTokenizer(a);
  assert.equal(tok.name, bpeTokenizer(b).name);
  assert.ok(tok.encode(corpus[0]!).length < Buffer.byteLength(corpus[0]!));
  assert.ok(a.vocabSize <= 300 && a.vocabSize > 259);
});

test("property: the incremental BPE trainer learns exactly the merges of the recount-everything reference", () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: fc.constantFrom(..."ab c.d\né1"), maxLength: 30 }), { maxLength: 30 }), fc.integer({ min: 259, max: 330 }), (lines, v) => {
      assert.deepEqual(trainBpe(lines, v), trainBpeReference(lines, v));
    }),
    { numRuns: 150 },
  );
});

test("GPT-2 BPE from gpt-tokenizer: known ids, round trip, <|endoftext|> = 50256 is EOS and never produced from user text", async () => {
  const t = await gpt2();
  assert.deepEqual(t.encode("Hello world"), [15496, 995]);
  assert.equal(t.decode(t.encode("alignment, in miniature")), "alignment, in miniature");
  assert.equal(t.eos, 50256);
  assert.equal(t.pad, 50256);
  assert.equal(t.vocabSize, 50257);
  assert.equal(t.decode([15496, 995, t.eos]), "Hello world<|endoftext|>");
  assert.ok(!t.encode("a<|endoftext|>b").includes(t.eos));
});
