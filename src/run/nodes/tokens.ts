// Examples from the data layer → token arrays for the training engine. The split between prompt
// and response is the chat format's, so the loss mask and the reward model's sequences agree with
// what SFT trained on: prompt text = everything before the response span.
import type { CheckedBlock } from "../../check/ir.js";
import { buildExamples, buildPrompts, buildValue } from "../../data/build.js";
import { formatExample } from "../../data/chat.js";
import { tokenizeExample } from "../../data/tokenize.js";
import type { BuiltData, ChatFormat, ComparisonGroup, PromptResponse, SFTExample, Tokenizer } from "../../data/types.js";
import { chunkDocuments, type TokenComparisonGroup, type TokenSequence } from "../../train/batch.js";
import type { HandlerEnv } from "./env.js";

export interface LmData {
  train: TokenSequence[];
  heldout: TokenSequence[];
}

export function sftSequences(xs: SFTExample[], tok: Tokenizer, maxLength: number, lossOn: "response" | "all" = "response"): TokenSequence[] {
  return xs.map((x) => {
    const t = tokenizeExample(x, tok, { maxLength, lossOn });
    return { tokens: t.tokens, lossMask: t.lossMask };
  });
}

/** LM data of a built block: text → context windows; prompt/response → masked sequences. */
export function lmData(built: BuiltData, tok: Tokenizer, context: number, lossOn: "response" | "all" = "response"): LmData {
  if (built.kind === "text") {
    return { train: chunkDocuments(built.train.lines.map((l) => tok.encode(l)), context, tok.eos), heldout: chunkDocuments(built.heldout.lines.map((l) => tok.encode(l)), context, tok.eos) };
  }
  if (built.kind === "sft") return { train: sftSequences(built.train, tok, context + 1, lossOn), heldout: sftSequences(built.heldout, tok, context + 1, lossOn) };
  throw new Error(`${built.name}: comparisons are not language-model data`);
}

/** A stage's data property as LM data, formatted with the stage's chat format. */
export async function stageLmData(env: HandlerEnv, b: CheckedBlock, prop: string, fmt: ChatFormat, tok: Tokenizer, context: number, lossOn: "response" | "all" = "response"): Promise<LmData> {
  const built = await buildExamples(env.recipe, b.name, { prop, format: fmt });
  return lmData(built, tok, context, lossOn);
}

/** Prompt tokens as the format presents them to the model (everything before the response). */
export function promptTokens(fmt: ChatFormat, tok: Tokenizer, prompt: string, system: string | undefined, maxLength: number): number[] {
  const ids = tok.encode(fmt.promptOnly(prompt, system ?? ""));
  return ids.length > maxLength ? ids.slice(ids.length - maxLength) : ids;
}

/** The tokens that follow the prompt for a given response: response, the format's closing text, EOS. */
export function responseTokens(fmt: ChatFormat, tok: Tokenizer, prompt: string, response: string, system?: string): number[] {
  const f = fmt.format(prompt, response, system ?? "");
  return [...tok.encode(f.text.slice(f.responseSpan[0])), tok.eos];
}

/** Comparison groups → token groups; prompts keep their last tokens so every sequence fits the context. */
export function tokenGroups(groups: ComparisonGroup[], fmt: ChatFormat, tok: Tokenizer, context: number): TokenComparisonGroup[] {
  return groups.map((g) => {
    const responses = g.responses.map((r) => responseTokens(fmt, tok, g.prompt, r, g.system).slice(0, context - 1));
    const longest = Math.max(...responses.map((r) => r.length));
    return { prompt: promptTokens(fmt, tok, g.prompt, g.system, Math.max(1, context - longest)), responses, pairs: g.pairs };
  });
}

export async function comparisons(env: HandlerEnv, b: CheckedBlock, prop: string): Promise<{ train: ComparisonGroup[]; heldout: ComparisonGroup[] }> {
  const v = b.props[prop];
  const built = await buildValue(env.recipe, v, {}, `${b.keyword} \`${b.name}\`.${prop}`);
  if (built.kind !== "comparisons") throw new Error(`${b.name}.${prop}: expected rankings or pairs, got ${built.kind} data`);
  return { train: built.train, heldout: built.heldout };
}

/** Prompts of a stage/eval property (with the reference response where the data has one). */
export async function prompts(env: HandlerEnv, b: CheckedBlock, prop: string): Promise<{ train: PromptResponse[]; heldout: PromptResponse[] }> {
  const v = b.props[prop];
  if (v === undefined) throw new Error(`${b.name}: no \`${prop}\``);
  return buildPrompts(env.recipe, v);
}

export { formatExample };
