// An eval's inputs as text and tokens (no TensorFlow.js), from the plan being run (the data its
// node's parameters name, as stage-data.ts builds a stage's): built in prepare() so data errors stop
// the run before its directory exists, then reused by the eval itself.
import { buildParam, dataPlanFromPlan, evaluatedPrompts, examplesOf, needReferences, promptsOf } from "../../data/build.js";
import { CODES, fail } from "../../data/diag.js";
import { emptyEval, emptyEvalText } from "../../data/empty-splits.js";
import { siteOf, type DataPlan } from "../../data/plan-input.js";
import type { ChatFormat, ComparisonGroup, PromptResponse, SFTExample, Tokenizer } from "../../data/types.js";
import { chunkDocuments, type TokenComparisonGroup, type TokenSequence } from "../../train/batch.js";
import { paramsOf, refOf } from "../../plan/params.js";
import type { Plan, PlanNode } from "../../plan/types.js";
import { contextOf, evalFormat, nodeById, tokenizerFor, memoPerNode, type HandlerEnv } from "./env.js";
import { sequenceBounds } from "./stage-data.js";
import { formatExample, sftSequences, tokenGroups } from "./tokens.js";

export type EvalData =
  | { kind: "accuracy"; model: string; items: SFTExample[]; available: number; fmt: ChatFormat; tok: Tokenizer; versus?: { model: string; items: SFTExample[]; fmt: ChatFormat; tok: Tokenizer } }
  | { kind: "rm_accuracy"; model: string; groups: TokenComparisonGroup[]; raw: ComparisonGroup[]; tok: Tokenizer }
  // fmt/tok: a's (a reward-model judge reads both answers in them, and the plan makes b's match: AL4014);
  // fmtB/tokB: b's own, in which b answers (a rule judge compares texts: b may differ from a)
  | { kind: "win_rate"; a: string; b: string; judge: string; select: string | null; items: PromptResponse[]; available: number; fmt: ChatFormat; tok: Tokenizer; fmtB: ChatFormat; tokB: Tokenizer }
  | { kind: "lm_loss"; model: string; seqs: TokenSequence[]; available: number; tok: Tokenizer };

export const evalData = memoPerNode(build);

function need(node: PlanNode, prop: string): string {
  const r = refOf(node.params[prop]);
  if (!r) throw new Error(`eval ${node.id}: \`${prop}\` must name a block`);
  return r;
}

/** An eval with nothing to evaluate is refused (AL3071, worded as `alignc check` words it from the
 * data it can read before a run: src/data/empty-splits.ts), located at the property that names its
 * data: NaN under an "ok" run would be worse. Met here when only the run can know: ranked samples
 * drawn by this run, comparisons whose groups all tie (`tied`: how many). */
function nothingToEvaluate(dp: DataPlan, node: PlanNode, prop: string, tied?: number): never {
  const dn = dp.nodes.get(node.id) ?? { ...node, block: node.id };
  const e = emptyEval(dp, dn, prop);
  const { what, hint } =
    tied === undefined
      ? emptyEvalText(e)
      : { what: `its \`data\` holds no pair to order (its ${tied} group(s) rank every response alike)`, hint: "evaluate rankings that order some responses: a group whose responses all tie measures nothing" };
  const at = siteOf(dp, dn, e.prop);
  fail(CODES.emptyEval, `eval \`${node.id}\` has nothing to evaluate: ${what}`, at.file, at.span, hint);
}

async function build(env: HandlerEnv, plan: Plan, node: PlanNode): Promise<EvalData> {
  // the examples come from the plan being run: the data this eval node's parameters name
  const dp = dataPlanFromPlan(plan, env.recipe);
  const context = (id: string) => contextOf(plan, nodeById(plan, id));
  const fmtOf = (id: string) => evalFormat(env, plan, id, node);
  const tokOf = (id: string) => tokenizerFor(env, plan, id);
  switch (node.op) {
    case "accuracy": {
      const p = paramsOf(node, "eval.accuracy");
      const model = need(node, "model");
      const fmt = fmtOf(model);
      const tok = await tokOf(model);
      // the data layer builds the eval's `task` and hands back the split it names (heldout_templates,
      // heldout_tasks, heldout, train) as `train`; an unknown split is its diagnostic
      const built = await examplesOf(dp, node.id, { format: fmt });
      if (built.kind !== "sft") throw new Error(`eval ${node.id}: task \`${need(node, "task")}\` has no prompt/response examples`);
      const split = built.train;
      if (split.length === 0) nothingToEvaluate(dp, node, "task");
      const items = split.slice(0, p.n);
      // the same examples for `versus`, in its own chat format (the split does not depend on the format)
      const other = typeof node.params.versus === "object" && node.params.versus !== null && "$ref" in node.params.versus ? String(node.params.versus.$ref) : undefined;
      if (other === undefined) return { kind: "accuracy", model, items, available: split.length, fmt, tok };
      const vFmt = fmtOf(other);
      const vBuilt = vFmt === fmt ? built : await examplesOf(dp, node.id, { format: vFmt });
      if (vBuilt.kind !== "sft") throw new Error(`eval ${node.id}: task \`${need(node, "task")}\` has no prompt/response examples`);
      const vItems = vBuilt.train.slice(0, p.n);
      if (vItems.length !== items.length || vItems.some((x, i) => x.response !== items[i]!.response)) throw new Error(`eval ${node.id}: versus's examples are not the model's`);
      return { kind: "accuracy", model, items, available: split.length, fmt, tok, versus: { model: other, items: vItems, fmt: vFmt, tok: await tokOf(other) } };
    }
    case "rm_accuracy": {
      const model = need(node, "model");
      const tok = await tokOf(model);
      const built = await buildParam(dp, node, node.params.data, {}, `eval \`${node.id}\`.data`);
      if (built.kind !== "comparisons") throw new Error(`eval ${node.id}: data must be rankings or pairs`);
      const raw = built.train;
      if (!raw.some((g) => g.pairs.length > 0)) nothingToEvaluate(dp, node, "data", raw.length || undefined);
      // cut as the reward model's stage cut its own pairs (its max_length and truncate), so this
      // figure and the stage's heldout_accuracy score the same sequences
      const { context: ctxLen, truncate } = sequenceBounds(plan, nodeById(plan, model));
      return { kind: "rm_accuracy", model, groups: tokenGroups(raw, fmtOf(model), tok, ctxLen, truncate), raw, tok };
    }
    case "win_rate": {
      const p = paramsOf(node, "eval.win_rate");
      const a = need(node, "a");
      const bb = need(node, "b");
      const judge = typeof p.judge === "string" ? p.judge : need(node, "judge");
      // what picks a's best sample (best_of > 1; the plan refuses best_of > 1 without one, AL4024)
      const select = p.best_of === 1 ? null : typeof p.select === "string" ? p.select : need(node, "select");
      const tok = await tokOf(a);
      const items = evaluatedPrompts(p.prompts, await promptsOf(dp, node, "prompts"));
      if (items.length === 0) nothingToEvaluate(dp, node, "prompts");
      if (judge === "rule" || select === "rule") needReferences(dp, node, "prompts", items.slice(0, p.n), judge === "rule" ? "the rule judge" : "the rule's pick of a's best sample");
      return { kind: "win_rate", a, b: bb, judge, select, items: items.slice(0, p.n), available: items.length, fmt: fmtOf(a), tok, fmtB: fmtOf(bb), tokB: await tokOf(bb) };
    }
    case "lm_loss": {
      const model = need(node, "model");
      const tok = await tokOf(model);
      const ctxLen = context(model);
      const built = await buildParam(dp, node, node.params.data, {}, `eval \`${node.id}\`.data`);
      if (built.kind === "comparisons") throw new Error(`eval ${node.id}: comparisons have no LM loss`);
      const seqs =
        built.kind === "text"
          ? chunkDocuments(built.train.lines.map((l) => tok.encode(l)), ctxLen, tok.eos)
          : // the eval's own measure, whatever stage made the model: the loss on response tokens, a long
            // prompt cut first (the pretrained model and the SFT model score the same tokens)
            sftSequences(
              built.train.map((x) => formatExample(fmtOf(model), x)),
              tok,
              ctxLen + 1,
              "response",
              "prompt_first",
            );
      if (seqs.length === 0) nothingToEvaluate(dp, node, "data");
      return { kind: "lm_loss", model, seqs: seqs.slice(0, paramsOf(node, "eval.lm_loss").n), available: seqs.length, tok };
    }
    default:
      throw new Error(`eval kind ${node.op} has no executor`);
  }
}
