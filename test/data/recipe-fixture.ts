// Hand-built CheckedRecipe objects (the shape src/check produces, defaults filled as it fills them:
// seeds derive from block content, so a missing default would change the examples) for the data tests: they do not
// depend on the parser or checker, only on the IR contract in src/check/ir.ts.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { CheckedBlock, CheckedRecipe, IRRecord, IRValue, BlockKeyword } from "../../src/check/ir.js";
import type { Span } from "../../src/lang/ast.js";

/** The repository root (the folder with package.json), from test/data or dist/test/data. */
export const ROOT = (() => {
  let d = import.meta.dirname;
  while (!existsSync(join(d, "package.json")) && dirname(d) !== d) d = dirname(d);
  return d;
})();
/** ../shared/data (read-only public data; tests that need it skip when it is absent). */
export const SHARED = resolve(ROOT, "../shared/data");
export const RECIPES = resolve(ROOT, "recipes");

const span: Span = { start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
const ident = (name: string) => ({ type: "Ident" as const, name, span });

export function block(keyword: BlockKeyword, name: string, kind: string, props: IRRecord, extra: { args?: IRValue[]; role?: string | null } = {}): CheckedBlock {
  return {
    keyword,
    name,
    kind,
    role: extra.role ?? null,
    args: extra.args ?? [],
    props,
    deps: [],
    decl: { type: "Declaration", keyword: ident(keyword), name: ident(name), kind: ident(kind), args: null, role: null, body: null, span },
    propSpans: {},
  };
}

export function recipe(blocks: CheckedBlock[], seed = 17, dir = RECIPES): CheckedRecipe {
  return { file: resolve(dir, "fixture.align"), dir, name: "fixture", header: { seed }, seed, blocks, expects: [], budget: [], extendsFile: null };
}

const call = ($call: string, ...args: IRValue[]): IRValue => ({ $call, args });
const ref = ($ref: string, member?: string): IRValue => (member ? { $ref, member } : { $ref });
export { call, ref };

/** recipes/quickstart.align as the checker would lower it (paths resolved, defaults filled where the data layer reads them). */
export function quickstart(seed = 17): CheckedRecipe {
  const d = (p: string) => resolve(RECIPES, p);
  return recipe(
    [
      block("tokenizer", "chars", "byte_level", {}),
      block("model", "tiny", "gpt", { tokenizer: ref("chars"), layers: 2, d_model: 128, heads: 4, context: 64 }),
      block("task", "sentiment", "flan", { data: call("jsonl", d("data/tasks/sentiment.jsonl")), templates: call("dir", d("../templates/flan/sentiment")), options: ["negative", "positive"], shots: { $range: [0, 1] }, invert: 0.1, holdout_templates: 2, holdout: 0.1, with_options: 0.5 }),
      block("task", "addition", "flan", { data: call("jsonl", d("data/tasks/addition.jsonl")), templates: call("dir", d("../templates/flan/addition")), shots: { $range: [0, 1] }, invert: 0, holdout_templates: 2, holdout: 0.1, with_options: 0.5 }),
      block("task", "uppercase", "flan", { data: call("jsonl", d("data/tasks/uppercase.jsonl")), templates: call("dir", d("../templates/flan/uppercase")), shots: { $range: [0, 0] }, invert: 0.2, holdout_templates: 2, holdout: 0.1, with_options: 0.5 }),
      block("source", "demos", "jsonl", { prompt: "{{instruction}}", response: "{{response}}", shape: "auto", field: "text", responses: "responses", ranking: "ranking", chosen: "chosen", rejected: "rejected", holdout: 0.1 }, { args: [d("data/demos.jsonl")], role: "demonstrations" }),
      block("source", "prefs", "jsonl", { k: { $range: [4, 9] }, holdout: 0.2, shape: "auto", field: "text", responses: "responses", ranking: "ranking", chosen: "chosen", rejected: "rejected" }, { args: [d("data/rankings.jsonl")], role: "rankings" }),
      block("mixture", "sft_data", "mix", { components: { sentiment: { proportional: true, cap: 600 }, addition: { proportional: true, cap: 600 }, uppercase: { proportional: true, cap: 600 }, demos: { weight: 1.0 } }, dedup: "exact" }),
      block("format", "chat", "chat_template", { system: "" }, { args: [d("../templates/chat/plain.hbs")] }),
      block("stage", "pre", "pretrain", { init: ref("tiny"), data: call("text", d("data/corpus.txt")), steps: 300, holdout: 0.05 }),
      block("stage", "sft", "sft", { init: ref("pre"), data: ref("sft_data"), format: ref("chat"), steps: 300 }),
      block("stage", "rm", "reward_model", { init: ref("sft"), data: ref("prefs"), format: ref("chat"), pairs: "all" }),
      block("stage", "policy", "ppo", { init: ref("sft"), reward: ref("rm"), prompts: ref("prefs", "prompts"), format: ref("chat"), ptx_data: ref("sft_data") }),
    ],
    seed,
  );
}

/** recipes/lima.align as lowered. */
export function lima(seed = 3): CheckedRecipe {
  const d = (p: string) => resolve(RECIPES, p);
  return recipe(
    [
      block("tokenizer", "chars", "byte_level", {}),
      block("source", "demos", "jsonl", { prompt: "{{instruction}}", response: "{{response}}", shape: "auto", field: "text", responses: "responses", ranking: "ranking", chosen: "chosen", rejected: "rejected", holdout: 0.21 }, { args: [d("data/demos.jsonl")], role: "demonstrations" }),
      block("mixture", "curated", "mix", { components: { demos: { weight: 1.0 } }, total: 800, dedup: "normalized", max_response_chars: 12, per_category: 400 }),
      block("format", "chat", "chat_template", { system: "" }, { args: [d("../templates/chat/plain.hbs")] }),
      block("stage", "sft", "sft", { init: ref("chars"), data: ref("curated"), format: ref("chat"), epochs: 2 }),
    ],
    seed,
  );
}
