// The exact examples alignc trains on, in the row shape each target reads. alignc renders its chat
// format itself, so rows carry the rendered text and the targets apply no template of their own
// (Axolotl, which insists on a chat template, gets one that only concatenates: see axolotlJinja).
import { groupPairs } from "../data/rankings.js";
import type { SFTExample } from "../data/types.js";
import type { RenderedGroup, StageData, StageKind, Target } from "./types.js";

export type Row = Record<string, unknown>;

/**
 * A prompt and what follows it, split where a byte-level BPE tokenizer splits: the prompt's trailing
 * whitespace moves to the front of the completion. GPT-2's BPE (and SentencePiece, whose "▁" marks a
 * space) joins a space to the word after it, so the chat format's "…Assistant: " alone ends in a lone
 * " " token while "…Assistant: negative" ends in " negative": the prompt's tokens were no prefix of
 * prompt + completion's, and the targets cut at the prompt's token count (TRL's SFT masked the answer's
 * first token, its DPO dropped chosen's and rejected's, OpenRLHF's SFT and DPO mask by the prompt's
 * length too). GPT-2's pre-tokenizer starts a new piece at every whitespace that follows other text, so a
 * prompt that ends before its whitespace tokenizes as a prefix (test/export/token-boundary.test.ts).
 * prompt + completion is the text alignc trains on, byte for byte.
 */
export function atTokenBoundary(prompt: string, completion: string): { prompt: string; completion: string } {
  const head = prompt.trimEnd();
  return { prompt: head, completion: prompt.slice(head.length) + completion };
}

/** A PPO prompt as the targets read it: it ends before its trailing whitespace, which the policy generates (atTokenBoundary). */
export function rolloutPrompt(prompt: string): string {
  return atTokenBoundary(prompt, "").prompt;
}

/** The prompt part (before the response, less its trailing whitespace) and the completion (the rest: atTokenBoundary). */
export function splitSFT(ex: SFTExample): { prompt: string; completion: string } {
  const at = ex.responseSpan[0];
  return atTokenBoundary(ex.text.slice(0, at), ex.text.slice(at));
}

export { groupPairs } from "../data/rankings.js";

export interface PairRow {
  prompt: string;
  chosen: string;
  rejected: string;
}

/** The pairs of each group (`mode`), split at the token boundary (atTokenBoundary) as every target reads them. */
export function pairRows(groups: readonly RenderedGroup[], mode: "all" | "adjacent"): PairRow[] {
  const out: PairRow[] = [];
  for (const rg of groups)
    for (const [w, l] of groupPairs(rg.group, mode)) {
      const chosen = atTokenBoundary(rg.prompt, rg.completions[w]!);
      out.push({ prompt: chosen.prompt, chosen: chosen.completion, rejected: atTokenBoundary(rg.prompt, rg.completions[l]!).completion });
    }
  return out;
}

/**
 * Axolotl's chat_template strategies need a Jinja template; this one writes each turn's content as
 * is (alignc already rendered the format into it) and the tokenizer's EOS after assistant turns, so
 * the text Axolotl tokenizes is alignc's text and the model still learns to stop.
 */
export const AXOLOTL_CONCAT_JINJA =
  "{% for message in messages %}{{ message['content'] }}{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}{% endfor %}";

/** Rows of one stage's data for a target. `lossOnAll` (SFT `loss_on = all`) trains on whole texts. */
export function rowsFor(target: Target, kind: StageKind, data: StageData, split: "train" | "test", opts: { pairs: "all" | "adjacent"; lossOnAll: boolean }): Row[] {
  switch (data.kind) {
    case "text":
      return data[split].map((text) => ({ text }));
    case "sft":
      return data[split].map((ex): Row => {
        if (opts.lossOnAll) return { text: ex.text }; // every target's plain-text (completion) shape
        const { prompt, completion } = splitSFT(ex);
        if (target === "axolotl")
          return { messages: [{ role: "user", content: prompt }, { role: "assistant", content: completion }] };
        return { prompt, completion };
      });
    case "comparisons": {
      const pairs = pairRows(data[split], opts.pairs);
      if (target === "axolotl" && kind === "reward_model")
        // bradley_terry.chat_template reads row["system"] unconditionally: the key must be on every row
        return pairs.map((p) => ({ system: "", input: p.prompt, chosen: p.chosen, rejected: p.rejected }));
      if (target === "axolotl")
        return pairs.map((p) => ({ messages: [{ role: "user", content: p.prompt }], chosen: p.chosen, rejected: p.rejected }));
      return pairs.map((p) => ({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected }));
    }
    case "prompts":
      return data[split].map((prompt) => ({ prompt: rolloutPrompt(prompt) }));
  }
}

/** JSONL text: one JSON object per line, keys in construction order, "\n" line ends. */
export function toJsonl(rows: readonly Row[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "");
}
