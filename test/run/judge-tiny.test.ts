import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ruleClass, ruleDecidedBy, ruleOutcome } from "../../src/run/evaluation/rule-judge.js";
import { PREAMBLE } from "../../src/data/demo/generate.js";
import { tinyRecipe, TINY } from "../../src/run/tiny.js";
import type { CheckedBlock, CheckedRecipe } from "../../src/check/ir.js";

test("rule judge follows the demo rankings' rule: concise correct > preamble + correct > wrong > garbage", () => {
  assert.equal(ruleClass("12", "12"), 0);
  assert.equal(ruleClass(" 12 ", "12"), 0);
  assert.equal(ruleClass(`${PREAMBLE}12`, "12"), 1);
  assert.equal(ruleClass("13", "12"), 2);
  assert.equal(ruleClass("positive", "12"), 2);
  assert.equal(ruleClass("xqzj xq", "12"), 4);
  assert.equal(ruleOutcome("12", `${PREAMBLE}12`, "12"), 1);
  assert.equal(ruleOutcome("13", "12", "12"), 0);
  assert.equal(ruleOutcome("13", "14", "12"), 0.5);
});

test("for any answer and responses, the rule outcome is antisymmetric and a response ties with itself", () => {
  const text = fc.string({ maxLength: 12 });
  fc.assert(
    fc.property(text, text, fc.string({ minLength: 1, maxLength: 8 }), (a, b, answer) => {
      return ruleOutcome(a, b, answer) + ruleOutcome(b, a, answer) === 1 && ruleOutcome(a, a, answer) === 0.5;
    }),
  );
});

test("a rule judge's decision is style when both answers are right, correctness when one is, form when neither is", () => {
  assert.equal(ruleDecidedBy("12", `${PREAMBLE}12`, "12"), "style");
  assert.equal(ruleDecidedBy(`${PREAMBLE}12`, "12", "12"), "style");
  assert.equal(ruleDecidedBy("12", `${PREAMBLE}13`, "12"), "correctness");
  assert.equal(ruleDecidedBy(`${PREAMBLE}12`, "13", "12"), "correctness");
  assert.equal(ruleDecidedBy("13", "xqzj", "12"), "form", "neither right: a wrong answer beats garbage by its form");
  assert.equal(ruleDecidedBy("12", "xqzj", "12"), "correctness");
  assert.equal(ruleDecidedBy("13", "14", "12"), null);
  assert.equal(ruleDecidedBy("12", "12", "12"), null);
});

const span = { start: 0, end: 1, line: 1, col: 1, endLine: 1, endCol: 2 };
const block = (keyword: CheckedBlock["keyword"], name: string, kind: string, props: CheckedBlock["props"]): CheckedBlock =>
  ({ keyword, name, kind, role: null, args: [], props, deps: [], decl: { span } as unknown as CheckedBlock["decl"], propSpans: {} }) as CheckedBlock;

test("--tiny scales steps and eval sizes; leaves the model, PPO rollouts and the input recipe alone", () => {
  const recipe: CheckedRecipe = {
    file: "/r.align",
    dir: "/",
    name: "r",
    header: {},
    seed: 1,
    blocks: [
      block("model", "m", "gpt", { layers: 2, d_model: 128 }),
      block("stage", "pre", "pretrain", { steps: 300, log_every: 10 }),
      block("stage", "sft", "sft", { epochs: 2 }),
      block("stage", "p", "ppo", { steps: 40, batch_size: 16, max_new_tokens: 24 }),
      block("stage", "long", "sft", { steps: 1500 }),
      block("eval", "j", "win_rate", { n: 300, max_new_tokens: 24 }),
      block("eval", "held", "lm_loss", { n: 1000 }),
    ],
    expects: [],
    budget: [],
    extendsFile: null,
  };
  const t = tinyRecipe(recipe);
  const props = Object.fromEntries(t.blocks.map((b) => [b.name, b.props]));
  assert.deepEqual(props.m, { layers: 2, d_model: 128 });
  assert.equal(props.pre!.steps, 300 / TINY.STEP_DIVISOR);
  assert.equal(props.sft!.steps, TINY.TINY_EPOCH_STEPS);
  assert.equal(props.sft!.epochs, undefined);
  assert.equal(props.p!.steps, 40 / TINY.STEP_DIVISOR);
  assert.equal(props.held!.n, 1000, "an lm_loss's n caps its split; a tiny run scores the same held-out sequences");
  assert.equal(props.long!.steps, TINY.MAX_STEPS, "at most MAX_STEPS");
  assert.equal(props.p!.batch_size, 16);
  assert.equal(props.j!.n, TINY.EVAL_N);
  assert.equal(recipe.blocks[1]!.props.steps, 300, "input not modified");
});
