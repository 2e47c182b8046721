// An RM judge's scores of two models' answers: the same (prompt, answer) is scored once, so the same
// answer from both sides ties exactly. Scored side by side in batches of their own, one text could get
// two scores about 1e-6 apart (each batch padded to its own longest row), which decided 5 and 9 of
// the quickstart's identical pairs before engine epoch 12.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, useBackend } from "../../src/train/backend.js";
import { Gpt } from "../../src/train/model.js";
import { RAW_FORMAT, handlebarsChat } from "../../src/data/chat.js";
import { byteLevel } from "../../src/data/tokenizers.js";
import { judgeScores } from "../../src/run/nodes/evals.js";
import { scoreSequences } from "../../src/train/evaluate.js";
import { testGptConfig } from "../train/configs.js";

test("a judge reward model scores each distinct answer once: identical answers from both sides tie exactly", async () => {
  await useBackend("cpu");
  const tok = byteLevel();
  const rm = Gpt.init(testGptConfig({ vocabSize: tok.vocabSize, context: 64, layers: 1, dModel: 16, heads: 2, initStd: 0.3 }), ["reward"], 7);
  const before = tf.memory().numTensors;
  try {
    const prompts = ["What is 2 plus 2?", "Say hi.", "Classify: rose"];
    // side a's batch holds short answers, side b's one long one: their padding differs
    const a = ["4", "hi", "A plant."];
    const b = ["4", "Sure! Here is a much longer answer than any of side a's", "A plant."];
    // the scorer sees each distinct sequence once (on this small model two batches may well agree to
    // the bit; on the quickstart's, on wasm, they did not): 3 of side a, 1 new of side b
    const scored: number[][][] = [];
    const pairs = judgeScores(rm, { fmt: RAW_FORMAT, tok }, prompts.map((prompt) => ({ prompt })), prompts.map((_, i) => [a[i]!, b[i]!]), (p, rs) => rs.map((r) => [...p, ...r]), (m, seqs, o) => {
      scored.push(seqs);
      return scoreSequences(m, seqs, o);
    });
    const [sa, sb] = [pairs.map((g) => g[0]!), pairs.map((g) => g[1]!)];
    assert.equal(scored.length, 1, "one scoring pass");
    assert.equal(scored[0]!.length, 4, "4 distinct (prompt, answer) sequences of 6");
    assert.equal(sa[0], sb[0], "the same answer, the same score");
    assert.equal(sa[2], sb[2]);
    assert.notEqual(sa[1], sb[1], "different answers are scored apart");
    assert.ok([...sa!, ...sb!].every(Number.isFinite));
  } finally {
    assert.equal(tf.memory().numTensors, before, "no tensor left");
    rm.dispose();
  }
});

test("a judge reward model reads a prompt's system text, as its stage trained on the group (it was left out)", async () => {
  await useBackend("cpu");
  const tok = byteLevel();
  const fmt = handlebarsChat("plain.hbs", "{{#if system}}{{system}}\n{{/if}}User: {{prompt}}\nAssistant: {{response}}");
  const rm = Gpt.init(testGptConfig({ vocabSize: tok.vocabSize, context: 96, layers: 1, dModel: 16, heads: 2, initStd: 0.3 }), ["reward"], 7);
  const before = tf.memory().numTensors;
  try {
    const seen: number[][] = [];
    const read = (p: readonly number[], rs: readonly (readonly number[])[]) => rs.map((r) => [...p, ...r]);
    judgeScores(rm, { fmt, tok }, [{ prompt: "Say hi.", system: "Be terse." }, { prompt: "Say hi." }], [["hi"], ["hi"]], read, (m, seqs, o) => {
      seen.push(...seqs);
      return scoreSequences(m, seqs, o);
    });
    const text = (ids: number[]) => tok.decode(ids.filter((t) => t !== tok.eos));
    assert.equal(seen.length, 2, "with and without the system text: two sequences, not one");
    assert.equal(text(seen[0]!), fmt.format("Say hi.", "hi", "Be terse.").text, "the system text where training put it");
    assert.equal(text(seen[1]!), fmt.format("Say hi.", "hi").text);
  } finally {
    assert.equal(tf.memory().numTensors, before, "no tensor left");
    rm.dispose();
  }
});
