// The exact examples alignc trains on, in the row shape each target reads. alignc renders its chat
// format itself, so rows carry the rendered text and the targets apply no template of their own
// (Axolotl, which insists on a chat template, gets one that only concatenates: see axolotlJinja).
import { groupPairs } from "../data/rankings.js";
import type { SFTExample } from "../data/types.js";
import type { RenderedGroup, StageData, StageKind, Target } from "./types.js";

export type Row = Record<string, unknown>;

/** The prompt part (everything before the response) and the completion (response and what follows). */
export function splitSFT(ex: SFTExample): { prompt: string; completion: string } {
  const at = ex.responseSpan[0];
  return { prompt: ex.text.slice(0, at), completion: ex.text.slice(at) };
}

export { groupPairs } from "../data/rankings.js";

export interface PairRow {
  prompt: string;
  chosen: string;
  rejected: string;
}

export function pairRows(groups: readonly RenderedGroup[], mode: "all" | "adjacent"): PairRow[] {
  const out: PairRow[] = [];
  for (const rg of groups) for (const [w, l] of groupPairs(rg.group, mode)) out.push({ prompt: rg.prompt, chosen: rg.completions[w]!, rejected: rg.completions[l]! });
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
      return data[split].map((prompt) => ({ prompt }));
  }
}

/** JSONL text: one JSON object per line, keys in construction order, "\n" line ends. */
export function toJsonl(rows: readonly Row[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "");
}
