// Text views for `alignc data`: examples as the model sees them (the trained-on response marked),
// per-source/template counts and token-length summaries, and JSONL export rows.
import type { BuiltData, ChatFormat, ComparisonGroup, SFTExample, MixtureDrops, TemplateNote, Tokenizer } from "./types.js";
import { escapeControl, escapeControlKeepLines as esc } from "../lang/escape.js";
import { palette } from "../common/colour.js";
import { SPLIT_WORDS } from "./bad-rows.js";
import { comparisonLengths } from "./truncation.js";

/** Markers around the response (the tokens the loss is computed on) in previews. */
export const MARK_OPEN = "⟦";
export const MARK_CLOSE = "⟧";

export interface ViewOptions {
  color: boolean;
}

const green = (s: string, o: ViewOptions): string => palette(o.color).green(s);
const dim = (s: string, o: ViewOptions): string => palette(o.color).dim(s);

function describeMeta(e: SFTExample): string {
  const m = e.meta;
  const bits = [m.source, m.template ? `template ${m.template}` : null, m.shots ? `${m.shots}-shot` : null, m.inverted ? "inverted" : null, m.options ? "options" : null, m.category && m.category !== m.source ? m.category : null, m.line ? `line ${m.line}` : null];
  return bits.filter(Boolean).join(" · ");
}

/** An example's tokens as a stage trains on it: its text and the EOS after the response; a prompts source's
 * example is a prompt as asked, which ends where the answer starts (no EOS). */
const exampleTokens = (e: SFTExample, tok: Tokenizer): number => tok.encode(e.text).length + (e.response === "" && e.responseSpan[0] === e.responseSpan[1] ? 0 : 1);

export function previewSft(xs: readonly SFTExample[], n: number, tok: Tokenizer, o: ViewOptions): string {
  return xs
    .slice(0, n)
    .map((e) => {
      const [rs, re] = e.responseSpan;
      // data text is escaped (control characters made visible) before our own colour codes go in
      // a prompts source's example ends where the answer would start: nothing to mark
      const body = e.response === "" && rs === re ? esc(e.text) : esc(e.text.slice(0, rs)) + green(MARK_OPEN + esc(e.text.slice(rs, re)) + MARK_CLOSE, o) + esc(e.text.slice(re));
      return `${dim(`── ${escapeControl(e.id)}  (${escapeControl(describeMeta(e))}; ${exampleTokens(e, tok)} tokens)`, o)}\n${body}`;
    })
    .join("\n\n");
}

export function previewGroups(gs: readonly ComparisonGroup[], n: number, o: ViewOptions): string {
  return gs
    .slice(0, n)
    .map((g) => {
      const ranks = g.ranks ?? g.responses.map((_, i) => i);
      const order = g.responses.map((_, i) => i).sort((a, b) => ranks[a]! - ranks[b]! || a - b);
      const lines = order.map((i) => `  ${String.fromCharCode(65 + i)} rank ${ranks[i]}: ${JSON.stringify(g.responses[i])}`);
      return `${dim(`── ${escapeControl(g.id)}  (K = ${g.responses.length}, ${g.pairs.length} pairs)`, o)}\n${esc(g.prompt)}\n${lines.map(escapeControl).join("\n")}`;
    })
    .join("\n\n");
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export interface LengthSummary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
  over: number; // longer than the context
}

export function lengthSummary(lengths: number[], context?: number): LengthSummary {
  const s = [...lengths].sort((a, b) => a - b);
  return {
    n: s.length,
    mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0,
    p50: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    max: s[s.length - 1] ?? 0,
    over: context === undefined ? 0 : s.filter((x) => x > context).length,
  };
}

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(w[c]!) : x.padStart(w[c]!))).join("  ")).join("\n");
}

/** Counts per source and template, split sizes, token lengths (with the model context when known),
 * then `extra` lines (what truncation does at each consuming stage: truncation-report.ts). */
export function statsText(built: BuiltData, tok: Tokenizer, fmt: ChatFormat, context?: number, extra: readonly string[] = []): string {
  const out: string[] = [];
  const fmtLen = (l: LengthSummary) => `tokens: mean ${l.mean.toFixed(1)}  p50 ${l.p50}  p95 ${l.p95}  max ${l.max}${context !== undefined ? `  over context ${context}: ${l.over} (${((100 * l.over) / Math.max(1, l.n)).toFixed(1)}%)` : ""}`;
  if (built.kind === "sft") {
    out.push(`${built.name}: ${built.train.length} training examples, ${built.heldout.length} held-out, ${built.heldoutTemplates.length} held-out-template (zero-shot eval)${built.heldoutTasks.length ? `, ${built.heldoutTasks.length} of held-out tasks (zero-shot eval: ${[...new Set(built.heldoutTasks.map((e) => e.meta.source))].sort().join(", ")})` : ""}`);
    const bySource = new Map<string, Map<string, number>>();
    for (const e of built.train) {
      const m = bySource.get(e.meta.source) ?? new Map<string, number>();
      const key = e.meta.template ?? e.meta.category ?? "-";
      m.set(key, (m.get(key) ?? 0) + 1);
      bySource.set(e.meta.source, m);
    }
    const rows: string[][] = [["source / template", "examples", "share"]];
    for (const [src, m] of [...bySource.entries()].sort()) {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      rows.push([src, String(total), `${((100 * total) / built.train.length).toFixed(1)}%`]);
      for (const [t, c] of [...m.entries()].sort()) rows.push([`  ${t}`, String(c), ""]);
    }
    out.push(table(rows));
    const lens = built.train.map((e) => exampleTokens(e, tok));
    out.push(fmtLen(lengthSummary(lens, context)));
    out.push(...extra);
    const shots = built.train.filter((e) => (e.meta.shots ?? 0) > 0).length;
    const inv = built.train.filter((e) => e.meta.inverted).length;
    // FLAN's renderings: a prompts source has none to count
    if (!built.promptsOnly) out.push(`few-shot: ${shots}  inverted: ${inv}  with options: ${built.train.filter((e) => e.meta.options).length}`);
    if (built.notes?.templates?.length) out.push(templateRoles(built.notes.templates));
  } else if (built.kind === "comparisons") {
    const ks = new Map<number, number>();
    for (const g of built.train) ks.set(g.responses.length, (ks.get(g.responses.length) ?? 0) + 1);
    const pairs = built.train.reduce((a, g) => a + g.pairs.length, 0);
    out.push(`${built.name}: ${built.train.length} prompts (${pairs} comparisons), ${built.heldout.length} held-out prompts`);
    out.push(`K: ${[...ks.entries()].sort((a, b) => a[0] - b[0]).map(([k, c]) => `${k}×${c}`).join("  ")}`);
    out.push(fmtLen(lengthSummary(built.train.flatMap((g) => comparisonLengths(fmt, tok, g)), context)));
    out.push(...extra);
  } else {
    out.push(`${built.name}: ${built.train.lines.length} lines, ${built.heldout.lines.length} held-out`);
    out.push(fmtLen(lengthSummary(built.train.lines.map((l) => tok.encode(l).length + 1), context)));
    out.push(...extra);
  }
  for (const m of built.notes?.mixed ?? []) out.push(mixtureDropsLine(m));
  for (const s of built.notes?.skipped ?? []) {
    out.push(`skipped ${s.count} row${s.count === 1 ? "" : "s"} of ${s.file} (\`${s.source}\`${s.split ? `, ${SPLIT_WORDS[s.split]}` : ""}), first reasons:`);
    for (const r of s.reasons) out.push(`  - ${r}`);
  }
  return out.join("\n");
}

/** What a mixture left out before sampling, in words: a dedup that drops examples answered otherwise
 * than the one kept (FLAN's inverted prompts repeat by construction) is easy to miss otherwise. */
export function mixtureDropsLine(m: MixtureDrops): string {
  const parts: string[] = [];
  if (m.duplicates)
    parts.push(
      `dedup = "${m.dedup}" dropped ${m.duplicates} example${m.duplicates === 1 ? "" : "s"} whose prompt repeats an earlier one` +
        (m.differentResponse ? ` (${m.differentResponse} of them with another response: write dedup = "none" to keep those)` : ""),
    );
  if (m.length) parts.push(`min/max_response_chars dropped ${m.length}`);
  if (m.quota) parts.push(`per_category dropped ${m.quota}`);
  return `mixture ${m.mixture}: ${parts.join("; ")}`;
}

/** `alignc data --stats --json`: what statsText prints, as data (counts, per-source shares, token lengths). */
export function statsJson(built: BuiltData, tok: Tokenizer, fmt: ChatFormat, context?: number): Record<string, unknown> {
  const skipped = {
    ...(built.notes?.skipped?.length ? { skipped: built.notes.skipped } : {}),
    ...(built.notes?.mixed?.length ? { mixture_dropped: built.notes.mixed } : {}),
  };
  const ctx = context !== undefined ? { context } : {};
  if (built.kind === "sft") {
    const bySource: Record<string, { examples: number; templates: Record<string, number> }> = {};
    for (const e of built.train) {
      const s = (bySource[e.meta.source] ??= { examples: 0, templates: {} });
      const key = e.meta.template ?? e.meta.category ?? "-";
      s.examples++;
      s.templates[key] = (s.templates[key] ?? 0) + 1;
    }
    return {
      train: built.train.length,
      heldout: built.heldout.length,
      heldout_templates: built.heldoutTemplates.length,
      heldout_tasks: built.heldoutTasks.length,
      by_source: bySource,
      tokens: lengthSummary(built.train.map((e) => exampleTokens(e, tok)), context),
      ...ctx,
      few_shot: built.train.filter((e) => (e.meta.shots ?? 0) > 0).length,
      inverted: built.train.filter((e) => e.meta.inverted).length,
      with_options: built.train.filter((e) => e.meta.options).length,
      ...(built.notes?.templates?.length ? { templates: built.notes.templates } : {}),
      ...skipped,
    };
  }
  if (built.kind === "comparisons") {
    const k: Record<string, number> = {};
    for (const g of built.train) k[g.responses.length] = (k[g.responses.length] ?? 0) + 1;
    return {
      train: built.train.length,
      comparisons: built.train.reduce((a, g) => a + g.pairs.length, 0),
      heldout: built.heldout.length,
      k,
      tokens: lengthSummary(built.train.flatMap((g) => comparisonLengths(fmt, tok, g)), context),
      ...ctx,
      ...skipped,
    };
  }
  return { train: built.train.lines.length, heldout: built.heldout.lines.length, tokens: lengthSummary(built.train.lines.map((l) => tok.encode(l).length + 1), context), ...ctx, ...skipped };
}

/** Which templates count as direct, inverted or auxiliary, and why (README "FLAN templates"). */
function templateRoles(notes: readonly TemplateNote[]): string {
  const rows: string[][] = [["task / template", "role", "why"]];
  let task = "";
  for (const n of notes) {
    if (n.task !== task) rows.push([(task = n.task), "", ""]);
    rows.push([`  ${n.id}`, n.heldout ? `${n.role} (held out)` : n.role, n.reason]);
  }
  const w = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return ["templates:", ...rows.map((r) => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]}`.trimEnd())].join("\n");
}

/** The splits `alignc data --export --split` writes. */
export const EXPORT_SPLITS = ["train", "heldout", "heldout_templates", "heldout_tasks", "all"] as const;
export type ExportSplit = (typeof EXPORT_SPLITS)[number];

/**
 * JSONL rows of the final examples of one split (or all), each naming its split; prompt/response
 * examples also carry their source, template and row in `meta`. Comparisons and text have train and
 * held-out splits only.
 */
/** The splits a kind of built data has (`--split` names one of them, or all). */
export function splitsOf(built: BuiltData): string[] {
  return built.kind === "sft" ? ["train", "heldout", "heldout_templates", "heldout_tasks"] : ["train", "heldout"];
}

export function exportRows(built: BuiltData, split: ExportSplit = "train"): object[] {
  const want = (s: string) => split === "all" || split === s;
  if (built.kind === "sft") {
    const parts: [string, SFTExample[]][] = [["train", built.train], ["heldout", built.heldout], ["heldout_templates", built.heldoutTemplates], ["heldout_tasks", built.heldoutTasks]];
    // a prompts source's rows have no response: none is written (TRL's prompt-only rows, with the text as asked)
    const row = (s: string, e: SFTExample) => (built.promptsOnly ? { split: s, id: e.id, prompt: e.prompt, ...(e.system ? { system: e.system } : {}), text: e.text, prompt_span: e.promptSpan, meta: e.meta } : { split: s, id: e.id, prompt: e.prompt, response: e.response, text: e.text, prompt_span: e.promptSpan, response_span: e.responseSpan, meta: e.meta });
    return parts.filter(([s]) => want(s)).flatMap(([s, xs]) => xs.map((e) => row(s, e)));
  }
  if (built.kind === "comparisons") {
    const parts: [string, ComparisonGroup[]][] = [["train", built.train], ["heldout", built.heldout]];
    return parts.filter(([s]) => want(s)).flatMap(([s, gs]) => gs.map((g) => ({ split: s, id: g.id, prompt: g.prompt, responses: g.responses, ranks: g.ranks, pairs: g.pairs, meta: g.meta })));
  }
  const parts: [string, string[]][] = [["train", built.train.lines], ["heldout", built.heldout.lines]];
  return parts.filter(([s]) => want(s)).flatMap(([s, ls]) => ls.map((text) => ({ split: s, text })));
}
