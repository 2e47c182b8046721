// An eval's inputs as text and tokens (no TensorFlow.js): built in prepare() so data errors stop
// the run before its directory exists, then reused by the eval itself.
import type { CheckedBlock } from "../../check/ir.js";
import { buildExamples, buildValue, evaluatedPrompts } from "../../data/build.js";
import type { ChatFormat, ComparisonGroup, PromptResponse, SFTExample, Tokenizer } from "../../data/types.js";
import { chunkDocuments, type TokenComparisonGroup, type TokenSequence } from "../../train/batch.js";
import { contextOf, evalFormat, numProp, refName, tokenizerFor, memoPerBlock, type HandlerEnv } from "./env.js";
import { formatExample, prompts, sftSequences, tokenGroups } from "./tokens.js";

export type EvalData =
  | { kind: "accuracy"; model: string; items: SFTExample[]; fmt: ChatFormat; tok: Tokenizer }
  | { kind: "rm_accuracy"; model: string; groups: TokenComparisonGroup[]; raw: ComparisonGroup[]; tok: Tokenizer }
  | { kind: "win_rate"; a: string; b: string; judge: string; items: PromptResponse[]; fmt: ChatFormat; tok: Tokenizer }
  | { kind: "lm_loss"; model: string; seqs: TokenSequence[]; tok: Tokenizer };

export const evalData = memoPerBlock(build);

function need(b: CheckedBlock, prop: string): string {
  const r = refName(b.props[prop]);
  if (!r) throw new Error(`eval ${b.name}: \`${prop}\` must name a block`);
  return r;
}

async function build(env: HandlerEnv, b: CheckedBlock): Promise<EvalData> {
  const n = numProp(b, "n", 300);
  switch (b.kind) {
    case "accuracy": {
      const model = need(b, "model");
      const fmt = evalFormat(env, model);
      const tok = await tokenizerFor(env, model);
      // the data layer builds the eval's `task` and hands back the split it names (heldout_templates,
      // heldout_tasks, heldout, train) as `train`; an unknown split is its diagnostic
      const built = await buildExamples(env.recipe, b.name, { format: fmt });
      if (built.kind !== "sft") throw new Error(`eval ${b.name}: task \`${need(b, "task")}\` has no prompt/response examples`);
      const split = built.train;
      if (split.length === 0) throw new Error(`eval ${b.name}: no ${String(b.props.split ?? "heldout_templates")} examples in \`${need(b, "task")}\``);
      return { kind: "accuracy", model, items: split.slice(0, n), fmt, tok };
    }
    case "rm_accuracy": {
      const model = need(b, "model");
      const tok = await tokenizerFor(env, model);
      const built = await buildValue(env.recipe, b.props.data, {}, `eval \`${b.name}\`.data`);
      if (built.kind !== "comparisons") throw new Error(`eval ${b.name}: data must be rankings or pairs`);
      const raw = built.train;
      return { kind: "rm_accuracy", model, groups: tokenGroups(raw, evalFormat(env, model), tok, contextOf(env, model)), raw, tok };
    }
    case "win_rate": {
      const a = need(b, "a");
      const bb = need(b, "b");
      const judge = typeof b.props.judge === "string" ? b.props.judge : need(b, "judge");
      const tok = await tokenizerFor(env, a);
      const ps = await prompts(env, b, "prompts");
      const items = evaluatedPrompts(b.props.prompts!, ps);
      return { kind: "win_rate", a, b: bb, judge, items: items.slice(0, n), fmt: evalFormat(env, a), tok };
    }
    case "lm_loss": {
      const model = need(b, "model");
      const tok = await tokenizerFor(env, model);
      const context = contextOf(env, model);
      const built = await buildValue(env.recipe, b.props.data, {}, `eval \`${b.name}\`.data`);
      if (built.kind === "comparisons") throw new Error(`eval ${b.name}: comparisons have no LM loss`);
      const seqs =
        built.kind === "text"
          ? chunkDocuments(built.train.lines.map((l) => tok.encode(l)), context, tok.eos)
          : sftSequences(
              built.train.map((x) => formatExample(evalFormat(env, model), x)),
              tok,
              context + 1,
            );
      return { kind: "lm_loss", model, seqs: seqs.slice(0, Math.max(n, 1000)), tok };
    }
    default:
      throw new Error(`eval kind ${b.kind} has no executor`);
  }
}
