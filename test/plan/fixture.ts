// CheckedRecipe objects built in code (what src/check produces), over files written to a temp dir:
// the plan compiler's tests do not depend on the parser or the checker.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BlockKeyword, CheckedBlock, CheckedRecipe, IRRecord, IRValue } from "../../src/check/ir.js";
import type { Declaration, Span } from "../../src/lang/ast.js";
import { KINDS } from "../../src/check/kinds.js";

let offset = 0;
export function span(): Span {
  offset += 10;
  return { start: offset, end: offset + 5, line: offset / 10, col: 1, endLine: offset / 10, endCol: 6 };
}

export interface BlockSpec {
  keyword: BlockKeyword;
  name: string;
  kind: string;
  props?: IRRecord;
  args?: IRValue[];
  role?: string | null;
}

/** The kinds table's defaults of a block's kind (what the checker fills into every checked block). */
function kindDefaults(keyword: string, kind: string): IRRecord {
  const spec = (KINDS as Record<string, Record<string, { props: Record<string, { default?: unknown }> }> | undefined>)[keyword]?.[kind];
  return Object.fromEntries(Object.entries(spec?.props ?? {}).flatMap(([k, v]) => (v.default === undefined ? [] : [[k, v.default as IRValue]])));
}

/** A checked block: the given properties (each with a span) over its kind's defaults (without one, as the checker leaves them). */
export function block(s: BlockSpec): CheckedBlock {
  const given = s.props ?? {};
  const props: IRRecord = { ...kindDefaults(s.keyword, s.kind), ...given };
  const id = (name: string) => ({ type: "Ident" as const, name, span: span() });
  const decl: Declaration = { type: "Declaration", keyword: id(s.keyword), name: id(s.name), kind: id(s.kind), args: null, role: null, body: null, span: span() };
  const deps = new Set<string>();
  const walk = (v: IRValue): void => {
    if (v && typeof v === "object") {
      if (!Array.isArray(v) && typeof (v as { $ref?: unknown }).$ref === "string") deps.add((v as { $ref: string }).$ref);
      for (const x of Object.values(v)) walk(x as IRValue);
    }
  };
  walk(props);
  if (s.keyword === "mixture" && props.components && typeof props.components === "object") for (const k of Object.keys(props.components)) deps.add(k);
  return {
    keyword: s.keyword,
    name: s.name,
    kind: s.kind,
    role: s.role ?? null,
    args: s.args ?? [],
    props,
    deps: [...deps].sort(),
    decl,
    propSpans: Object.fromEntries(Object.keys(given).map((k) => [k, span()])),
  };
}

export const ref = (name: string, member?: string): IRValue => (member ? { $ref: name, member } : { $ref: name });
export const call = (name: string, ...args: IRValue[]): IRValue => ({ $call: name, args });

const made: string[] = [];
process.on("exit", () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir, removed when the process exits. */
export function tempDir(prefix = "alignc-plan-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes files (relative path → content) under a fresh temp dir; returns the dir. */
export function tempFiles(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

export const QUICK_FILES: Record<string, string> = {
  "recipes/data/tasks/sentiment.jsonl": '{"text":"good movie","label":"positive"}\n',
  "recipes/data/tasks/addition.jsonl": '{"a":1,"b":2,"sum":3}\n',
  "recipes/data/demos.jsonl": '{"instruction":"hi","response":"hello"}\n',
  "recipes/data/rankings.jsonl": '{"prompt":"p","responses":["a","b","c","d"],"ranking":"A > B > C > D"}\n',
  "recipes/data/corpus.txt": "4 plus 3 is 7.\n",
  "templates/flan/sentiment/t1.hbs": "{{text}} ||| {{label}}",
  "templates/flan/sentiment/t2.hbs": "Review: {{text}} ||| {{label}}",
  "templates/flan/addition/t1.hbs": "{{a}}+{{b}} ||| {{sum}}",
  "templates/chat/plain.hbs": "User: {{prompt}}\nAssistant: {{response}}",
  "templates/chat/chatml.hbs": "<|user|>{{prompt}}<|assistant|>{{response}}",
};

export interface QuickOptions {
  root?: string; // temp dir holding QUICK_FILES (made when absent)
  rename?: Record<string, string>; // block name → new name (references follow)
  reverse?: boolean; // declarations in reverse dependency-respecting order (ties)
  patch?: (blocks: CheckedBlock[]) => void;
}

/** The quickstart's shape: tokenizer, model, two FLAN tasks, demos, rankings, mixture, format, pre → sft → rm → ppo, evals. */
export function quickRecipe(opts: QuickOptions = {}): CheckedRecipe {
  const root = opts.root ?? tempFiles(QUICK_FILES);
  const dir = join(root, "recipes");
  const n = (name: string) => opts.rename?.[name] ?? name;
  const p = (rel: string) => join(dir, rel);
  const training = { batch_size: 16, accumulate: 1, parallel_shares: 2, lr: 3e-4, warmup: 0, schedule: "cosine", min_lr_ratio: 0.1, optimizer: "adamw", weight_decay: 0.1, grad_clip: 1, log_every: 10, checkpoint_every: 100 };
  const blocks: CheckedBlock[] = [
    block({ keyword: "tokenizer", name: n("chars"), kind: "byte_level" }),
    block({ keyword: "model", name: n("tiny"), kind: "gpt", props: { tokenizer: ref(n("chars")), layers: 2, d_model: 128, heads: 4, context: 64, dropout: 0, init_std: 0.02 } }),
    block({ keyword: "task", name: n("sentiment"), kind: "flan", props: { data: call("jsonl", p("data/tasks/sentiment.jsonl")), templates: call("dir", join(root, "templates/flan/sentiment")), options: ["negative", "positive"], shots: { $range: [0, 1] }, invert: 0.1, holdout_templates: 1, holdout: 0.1, with_options: 0.5 } }),
    block({ keyword: "task", name: n("addition"), kind: "flan", props: { data: call("jsonl", p("data/tasks/addition.jsonl")), templates: call("dir", join(root, "templates/flan/addition")), shots: { $range: [0, 1] }, invert: 0, holdout_templates: 0, holdout: 0.1, with_options: 0.5 } }),
    block({ keyword: "source", name: n("demos"), kind: "jsonl", args: [p("data/demos.jsonl")], role: "demonstrations", props: { prompt: "{{instruction}}", response: "{{response}}", shape: "auto", holdout: 0 } }),
    block({ keyword: "source", name: n("prefs"), kind: "jsonl", args: [p("data/rankings.jsonl")], role: "rankings", props: { k: { $range: [4, 9] }, holdout: 0.2, shape: "auto" } }),
    block({ keyword: "mixture", name: n("sft_data"), kind: "mix", props: { components: { [n("sentiment")]: { proportional: true, cap: 600 }, [n("addition")]: { proportional: true, cap: 600 }, [n("demos")]: { weight: 1 } }, dedup: "exact" } }),
    block({ keyword: "format", name: n("chat"), kind: "chat_template", args: [join(root, "templates/chat/plain.hbs")], props: { system: "" } }),
    block({ keyword: "stage", name: n("pre"), kind: "pretrain", props: { ...training, init: ref(n("tiny")), data: call("text", p("data/corpus.txt")), steps: 300, lr: 1e-3, holdout: 0.05 } }),
    block({ keyword: "stage", name: n("sft"), kind: "sft", props: { ...training, init: ref(n("pre")), data: ref(n("sft_data")), format: ref(n("chat")), steps: 300, lr: 5e-4, loss_on: "response" } }),
    block({ keyword: "stage", name: n("rm"), kind: "reward_model", props: { ...training, init: ref(n("sft")), data: ref(n("prefs")), format: ref(n("chat")), pairs: "all", steps: 150, batch_size: 4, lr: 1e-4 } }),
    block({
      keyword: "stage",
      name: n("policy"),
      kind: "ppo",
      props: { ...training, init: ref(n("sft")), reward: ref(n("rm")), prompts: ref(n("prefs"), "prompts"), format: ref(n("chat")), kl_coef: 0.1, ptx_coef: 1, ptx_data: ref(n("sft_data")), clip: 0.2, vf_coef: 0.1, gae_lambda: 0.95, discount: 1, ppo_epochs: 2, max_new_tokens: 24, temperature: 1, top_k: 0, steps: 40, lr: 1e-5 },
    }),
    block({ keyword: "eval", name: n("rm_acc"), kind: "rm_accuracy", props: { model: ref(n("rm")), data: call("heldout", ref(n("prefs"))) } }),
    block({ keyword: "eval", name: n("judge"), kind: "win_rate", props: { a: ref(n("policy")), b: ref(n("sft")), judge: ref(n("rm")), prompts: call("heldout", ref(n("prefs"))), n: 300, max_new_tokens: 24 } }),
    block({ keyword: "eval", name: n("zero_shot"), kind: "accuracy", props: { model: ref(n("sft")), task: ref(n("sft_data")), split: "heldout_templates", n: 300 } }),
  ];
  opts.patch?.(blocks);
  const ordered = opts.reverse ? reverseTopo(blocks) : blocks;
  return { file: join(dir, "quick.align"), dir, name: "quick", header: { seed: 17, description: "test recipe" }, seed: 17, blocks: ordered, expects: [], budget: [], extendsFile: null };
}

/** Another valid order: dependencies still first, but independent blocks reversed. */
function reverseTopo(blocks: CheckedBlock[]): CheckedBlock[] {
  const out: CheckedBlock[] = [];
  const placed = new Set<string>();
  const rest = [...blocks].reverse();
  while (rest.length > 0) {
    const i = rest.findIndex((b) => b.deps.every((d) => placed.has(d)));
    const [b] = rest.splice(i, 1);
    out.push(b!);
    placed.add(b!.name);
  }
  return out;
}

export function findBlock(blocks: CheckedBlock[], name: string): CheckedBlock {
  const b = blocks.find((x) => x.name === name);
  if (!b) throw new Error(`no block ${name}`);
  return b;
}
