// Text rendering of plans and diffs. It only formats what the data says: no decision is made here
// (what is a node, what changed, what re-runs: src/plan/compile.ts and src/plan/diff.ts).
import { formatBytes, formatSeconds, planTotals } from "./checks.js";
import type { PlanDiff, DiffEntry } from "./diff.js";
import type { Estimates, Json, Plan, PlanNode } from "./types.js";
import { palette, type Colour } from "../common/colour.js";
import { escapeControl } from "../lang/escape.js";

/** Parameters shown in the plan table, by op (everything else is in `--json`). */
const KEY_PARAMS: Record<string, string[]> = {
  read: ["path", "role", "holdout"],
  expand: ["data", "templates", "shots", "invert", "holdout_templates"],
  mix: ["components", "total", "dedup"],
  format: ["examples", "format", "split"],
  tokenize: ["examples", "tokenizer"],
  samples: ["stage", "prompts", "k", "n", "temperature"],
  rank: ["draw", "labeler", "holdout"],
  byte_level: [],
  bpe: ["corpus", "vocab_size"],
  gpt2: [],
  gpt: ["tokenizer", "layers", "d_model", "heads", "context"],
  pretrain: ["init", "data", "steps", "epochs", "batch_size", "lr"],
  sft: ["init", "data", "steps", "epochs", "batch_size", "lr", "loss_on"],
  reward_model: ["init", "data", "steps", "epochs", "batch_size", "lr", "pairs"],
  ppo: ["init", "reward", "prompts", "steps", "batch_size", "lr", "kl_coef", "ptx_coef", "ptx_data"],
  dpo: ["init", "data", "steps", "epochs", "batch_size", "lr", "beta"],
  win_rate: ["a", "best_of", "select", "b", "judge", "prompts", "n"], // best_of shown where a picks (with select)
  accuracy: ["model", "task", "split", "n"],
  rm_accuracy: ["model", "data"],
  lm_loss: ["model", "data"],
};

export interface RenderOptions {
  color?: boolean;
}

/** A parameter value in recipe-like syntax: refs as names, files as paths, calls as calls. */
export function formatValue(v: Json | undefined): string {
  if (v === undefined) return "∅";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) {
    if (v.every((e) => e !== null && typeof e === "object" && !Array.isArray(e) && "input" in e))
      return v.map((e) => component(e as { [k: string]: Json })).join(", ");
    return `[${v.map(formatValue).join(", ")}]`;
  }
  if (typeof v.$ref === "string") return v.member ? `${v.$ref}.${String(v.member)}` : v.$ref;
  if (typeof v.$file === "string") return JSON.stringify(v.$file);
  if (typeof v.$dir === "string") return JSON.stringify(v.$dir);
  if (typeof v.$call === "string") return `${v.$call}(${(Array.isArray(v.args) ? v.args : []).map(formatValue).join(", ")})`;
  if (Array.isArray(v.$range)) return `${String(v.$range[0])}..${String(v.$range[1])}`;
  if (typeof v.$quantity === "number") return `${v.$quantity}${String(v.unit ?? "")}`;
  if (typeof v.op === "string" && "template" in v) return `${v.op}(${formatValue(v.template)})`;
  return `{ ${Object.entries(v).map(([k, x]) => `${k} = ${formatValue(x)}`).join("  ")} }`;
}

function component(c: { [k: string]: Json }): string {
  const { input, ...clauses } = c;
  const parts = Object.entries(clauses).map(([k, x]) => (x === true ? k : `${k} ${formatValue(x)}`));
  return `${formatValue(input)}: ${parts.join(" ")}`;
}

/** 438016 → "438k", 8.5e11 → "850G". */
export function si(n: number | undefined): string {
  if (n === undefined) return "-";
  const units = ["", "k", "M", "G", "T", "P", "E"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) (v /= 1000), i++;
  return `${i === 0 ? Math.round(v) : v < 10 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
}

function sizeOf(n: PlanNode, byId: Map<string, PlanNode>): string {
  if (n.kind === "eval" && !n.estimates.size) {
    const e = evaluatedSize(n, byId);
    return e ? `${si(e.examples)} ex${e.tokens === undefined ? "" : ` / ≈${si(e.tokens)} tok`}` : "-";
  }
  const s = n.estimates.size ?? (n.kind === "stage" ? inputSize(n, byId) : undefined);
  // ≈: the data layer counted tokens on a sample (DataStats.estimated); example counts are exact
  return s ? `${si(s.examples)} ex / ${s.estimated ? "≈" : ""}${si(s.tokens)} tok` : "-";
}

/** The node a parameter reads: a reference, or the data inside `heldout(x)` / `train(x)`. */
function readRef(v: unknown): string | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const o = v as { $ref?: unknown; $call?: unknown; args?: unknown };
  if (typeof o.$ref === "string") return o.$ref;
  return typeof o.$call === "string" && Array.isArray(o.args) ? readRef(o.args[0]) : undefined;
}

/** The size of what a stage or eval trains or evaluates on: its `data`, or (PPO, win rates) its
 * `prompts`, the data its estimate counts. Not its first data input: a PPO stage's `ptx_data` read
 * inline (`text("corpus.txt")`) sorts first among its inputs, and the column showed the corpus. */
function inputSize(n: PlanNode, byId: Map<string, PlanNode>): Estimates["size"] {
  for (const prop of ["data", "prompts"]) {
    const id = readRef(n.params[prop]);
    if (id === undefined) continue;
    const m = byId.get(id);
    return m?.kind === "data" ? m.estimates.size : undefined;
  }
  for (const id of n.inputs) {
    const m = byId.get(id);
    if (m?.kind === "data" && m.estimates.size) return m.estimates.size;
  }
  return undefined;
}

/**
 * What an eval scores, not the whole data it names: `heldout(x)` the rows x holds out (a pretrain
 * stage's: the corpus lines it kept), `train(x)` its training rows, a plain reference its training
 * rows (a win rate's: its held-out rows where it has them, as the run reads it); an accuracy eval the
 * split it names; at most its `n`. Tokens, scaled with the rows (≈), only for the evals that read
 * whole rows (rm_accuracy, lm_loss): a win rate or an accuracy eval reads prompts, which the sizes do
 * not count apart. None where the sizes do not count the split (held-out templates or tasks): the
 * column then says nothing rather than something wrong.
 */
function evaluatedSize(n: PlanNode, byId: Map<string, PlanNode>): { examples: number; tokens?: number } | undefined {
  const v = n.params[n.op === "win_rate" ? "prompts" : n.op === "accuracy" ? "task" : "data"];
  let named = byId.get(readRef(v) ?? "");
  if (named?.kind === "stage") named = byId.get(readRef(named.params.data) ?? ""); // heldout(pre)
  const size = named?.kind === "data" ? named.estimates.size : undefined;
  if (!size) return undefined;
  const call = v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$call === "string" ? v.$call : null;
  const split = n.op === "accuracy" ? n.params.split : call;
  const rows =
    split === "heldout" ? size.heldout
    : split === "train" || (split === null && n.op !== "win_rate") ? size.examples
    : split === null ? (size.heldout ? size.heldout : size.examples)
    : undefined;
  if (rows === undefined) return undefined;
  const examples = typeof n.params.n === "number" ? Math.min(rows, n.params.n) : rows;
  const wholeRows = n.op === "rm_accuracy" || n.op === "lm_loss";
  return { examples, ...(wholeRows && size.examples ? { tokens: Math.round((size.tokens * examples) / size.examples) } : {}) };
}

export function renderPlan(plan: Plan, opts: RenderOptions = {}): string {
  const c = palette(opts.color ?? false);
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  const r = plan.recipe;
  lines.push(c.bold(`plan ${r.variant ?? r.name}`) + `  (${escapeControl(r.file)}, seed ${r.seed}, alignc ${plan.engine.alignc} epoch ${plan.engine.epoch}, ${plan.nodes.length} nodes)`);
  if (r.description) lines.push(c.dim(r.description));
  lines.push("");
  const header = ["node", "op", "key parameters", "size", "params", "tokens", "FLOPs", "memory", "time", "hash"];
  const rows = plan.nodes.map((n) => {
    const e = n.estimates;
    const keys = (KEY_PARAMS[n.op] ?? Object.keys(n.params).slice(0, 4)).filter((k) => n.params[k] !== undefined && n.params[k] !== null && !(k === "best_of" && n.params[k] === 1));
    return [
      n.id,
      `${n.kind === "data" ? "" : `${n.kind} `}${n.op}`,
      keys.map((k) => `${k}=${formatValue(n.params[k])}`).join(" "),
      sizeOf(n, byId),
      si(e.parameters),
      si(e.tokens),
      si(e.flops),
      e.memory_bytes === undefined ? "-" : formatBytes(e.memory_bytes),
      e.time_s === undefined ? "-" : formatSeconds(e.time_s),
      n.hash.slice(0, 8),
    ];
  });
  lines.push(...table([header, ...rows], { maxWidth: [40, 20, 70], header: true }).map((l, i) => (i === 0 ? c.dim(l) : l)));
  const totals = planTotals(new Map(plan.nodes.map((n) => [n.id, n.estimates])));
  const backend = plan.nodes.find((n) => n.estimates.backend)?.estimates.backend;
  lines.push("");
  lines.push(
    `total${plan.variants ? ` (all ${plan.variants.length} variants, shared nodes once)` : ""}: ${si(totals.tokens)} tokens, ${si(totals.flops)}FLOPs, peak memory ${totals.memory === undefined ? "-" : formatBytes(totals.memory)}, ` +
      `time ${totals.time === undefined || !backend ? "unknown (no throughput for the backend)" : `${formatSeconds(totals.time)} on ${backend}`}`,
  );
  const cuts = plan.nodes.filter((n) => n.estimates.truncation);
  if (cuts.length) {
    // the examples truncation cuts into (src/data/truncation-report.ts; ≈: counted on the first examples)
    lines.push("");
    lines.push("truncation (training examples that lose tokens at each stage's max_length):");
    for (const n of cuts) {
      const t = n.estimates.truncation!;
      const pc = (k: number) => `${((100 * k) / Math.max(1, t.examples)).toFixed(1)}%`;
      const warn = t.lose_response / Math.max(1, t.examples) > 0.01 ? c.yellow("  over 1%: see AL3032") : "";
      lines.push(`  ${n.id}: ${t.lose_response} of ${t.sampled ? "the first " : ""}${t.examples} (${pc(t.lose_response)}) lose response tokens, ${t.lose_prompt} (${pc(t.lose_prompt)}) lose prompt tokens at max_length ${t.max_length} (truncate = "${t.truncate}")${warn}`);
    }
  }
  if (plan.variants) {
    lines.push("");
    lines.push(c.bold(`${plan.variants.length} variants`) + " (nodes not listed under a variant are shared by all):");
    const own = new Map<string, number>();
    for (const v of plan.variants) for (const id of v.nodes) own.set(id, (own.get(id) ?? 0) + 1);
    for (const v of plan.variants) {
      const mine = v.nodes.filter((id) => own.get(id) !== plan.variants!.length);
      lines.push(`  ${v.name}: ${mine.length ? mine.join(", ") : "(no nodes of its own)"}`);
    }
  }
  return lines.join("\n") + "\n";
}

const SYMBOL_COLOR: Record<string, Colour> = { "+": "green", "-": "red", "~": "yellow", "=": "dim" };

export function renderDiff(d: PlanDiff, opts: RenderOptions = {}): string {
  const c = palette(opts.color ?? false);
  const lines = [c.bold(`diff ${escapeControl(d.a)} → ${escapeControl(d.b)}`)];
  for (const e of d.entries) {
    if (e.action === "=" && !e.from) continue; // unchanged nodes: counted below, listed in --json
    const paint = c[SYMBOL_COLOR[e.action]!];
    lines.push(paint(`  ${e.action} ${e.id}${e.from ? ` (was ${e.from})` : ""}  ${e.kind} ${e.op}`));
    for (const ch of e.changes ?? []) lines.push(`      ${ch.path}: ${ch.old === undefined ? "∅" : formatValue(ch.old)} → ${ch.new === undefined ? "∅" : formatValue(ch.new)}`);
    if (e.because?.length) lines.push(c.dim(`      inputs changed: ${e.because.join(", ")}`));
  }
  for (const g of d.gates) lines.push(c[SYMBOL_COLOR[g.action]!](`  ${g.action} expect ${escapeControl(g.text)}`));
  const count = (a: DiffEntry["action"]) => d.entries.filter((e) => e.action === a).length;
  const gates = d.gates.length ? `; gates: ${d.gates.filter((g) => g.action === "+").length} added, ${d.gates.filter((g) => g.action === "-").length} removed` : "";
  lines.push("");
  lines.push(d.equal ? "plans are equal: every node is reused, the same gates" : `${count("+")} to add, ${count("~")} to change, ${count("-")} to remove, ${count("=")} reused${gates}`);
  lines.push(`must re-run: ${d.rerun.length ? d.rerun.join(", ") : "nothing"}`);
  lines.push(`reused: ${d.reused.length ? d.reused.join(", ") : "nothing"}`);
  return lines.join("\n") + "\n";
}

function table(rows: string[][], o: { maxWidth: number[]; header: boolean }): string[] {
  const clip = (s: string, i: number) => {
    const m = o.maxWidth[i];
    return m !== undefined && s.length > m ? `${s.slice(0, m - 1)}…` : s;
  };
  const cells = rows.map((r) => r.map(clip));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((s, i) => (i === r.length - 1 ? s : s.padEnd(widths[i]!))).join("  ").trimEnd());
}
