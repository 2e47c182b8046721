// Examples from the data layer → token arrays for the training engine. The split between prompt
// and response is the chat format's, so the loss mask and the reward model's sequences agree with
// what SFT trained on: prompt text = everything before the response span.
import { formatExample } from "../../data/chat.js";
import { tokenizeExample } from "../../data/tokenize.js";
import { promptTokens, responseTokens, truncateGroup, type TruncatePolicy } from "../../data/truncation.js";
import type { Asked, BuiltData, ChatFormat, ComparisonGroup, SFTExample, SkippedRows, Tokenizer } from "../../data/types.js";
import { chunkDocuments, type TokenComparisonGroup, type TokenSequence } from "../../train/batch.js";

export interface LmData {
  train: TokenSequence[];
  heldout: TokenSequence[];
  /** rows its sources left out under on_error = "skip" (for the run record) */
  skipped?: SkippedRows[];
}

export function sftSequences(xs: SFTExample[], tok: Tokenizer, maxLength: number, lossOn: "response" | "all", truncate: TruncatePolicy): TokenSequence[] {
  return xs.map((x) => {
    const t = tokenizeExample(x, tok, { maxLength, lossOn, truncate });
    return { tokens: t.tokens, lossMask: t.lossMask };
  });
}

/** The rows a build left out under on_error = "skip", as a spreadable field. */
export function skippedOf(x: { notes?: { skipped?: SkippedRows[] } }): { skipped?: SkippedRows[] } {
  return x.notes?.skipped?.length ? { skipped: x.notes.skipped } : {};
}

/** LM data of a built block: text → context windows; prompt/response → masked sequences. */
export function lmData(built: BuiltData, tok: Tokenizer, context: number, lossOn: "response" | "all", truncate: TruncatePolicy): LmData {
  if (built.kind === "text") {
    return { train: chunkDocuments(built.train.lines.map((l) => tok.encode(l)), context, tok.eos), heldout: chunkDocuments(built.heldout.lines.map((l) => tok.encode(l)), context, tok.eos), ...skippedOf(built) };
  }
  if (built.kind === "sft") return { train: sftSequences(built.train, tok, context + 1, lossOn, truncate), heldout: sftSequences(built.heldout, tok, context + 1, lossOn, truncate), ...skippedOf(built) };
  throw new Error(`${built.name}: comparisons are not language-model data`);
}

/** Comparison groups → token groups, every sequence cut to the context by the stage's `truncate` (data/truncation.ts). */
export function tokenGroups(groups: ComparisonGroup[], fmt: ChatFormat, tok: Tokenizer, context: number, truncate: TruncatePolicy): TokenComparisonGroup[] {
  return groups.map((g) => {
    const t = truncateGroup(promptTokens(fmt, tok, g.prompt, g.system, Infinity), g.responses.map((r) => responseTokens(fmt, tok, g.prompt, r, g.system)), context, truncate);
    return { prompt: t.prompt, responses: t.responses, pairs: g.pairs };
  });
}

export { formatExample, promptTokens, responseTokens };

/** The prompt ids a model is asked at eval time (a win rate's sides, an accuracy eval, a best-of draw):
 * each prompt with its system text, as training formatted it, keeping the last `room` tokens. One
 * function for every generating eval, so none can ask the bare prompt (they did until engine epoch 29). */
export function askedIds(fmt: ChatFormat, tok: Tokenizer, asked: readonly Asked[], room: number): number[][] {
  return asked.map((x) => promptTokens(fmt, tok, x.prompt, x.system, Math.max(1, room)));
}
