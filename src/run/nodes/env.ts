// What the node handlers share: the checked recipe of the variant being run (kept to locate data
// diagnostics only: examples, tokenizers and formats are built from the plan being run), the backend
// (selected on first use, so a run whose nodes are all cached never loads TensorFlow.js), and
// helpers that find a node's model, tokenizer and chat format. Hyperparameters are never read here:
// handlers take them from the plan node (src/plan/params.ts).
import type { CheckedRecipe } from "../../check/ir.js";
import { paramsOf, refOf, rootModelNode } from "../../plan/params.js";
import type { Plan, PlanNode } from "../../plan/types.js";
import { chatFormatOf, dataPlanFromPlan } from "../../data/build.js";
import { RAW_FORMAT } from "../../data/chat.js";
import { tokenizerOf } from "../../data/recipe-tokenizer.js";
import type { ChatFormat, Tokenizer } from "../../data/types.js";

export interface BackendSession {
  /** the backend asked for (auto | tensorflow | wasm | cpu) */
  readonly requested: string;
  /** select it on first call; returns the backend now active */
  ensure(): Promise<string>;
  /** the selected backend, or null when nothing needed one */
  readonly selected: string | null;
}

export function backendSession(requested: string, say: (line: string) => void = () => {}): BackendSession {
  let selected: string | null = null;
  let pending: Promise<string> | null = null;
  return {
    requested,
    get selected() {
      return selected;
    },
    ensure() {
      pending ??= import("../../train/backend.js").then(async (b) => {
        selected = await b.selectBackend(requested as "auto" | "tensorflow" | "wasm" | "cpu");
        say(`backend: ${selected}${requested === "auto" ? " (auto: the fastest that loads here)" : ""}`);
        return selected;
      });
      return pending;
    },
  };
}

export interface HandlerEnv {
  recipe: CheckedRecipe;
  backend: BackendSession;
  /** data-parallel replicas for pretrain, SFT, reward_model, DPO and PPO's updates (src/run/nodes/parallel.ts); absent: 1 */
  workers?: number;
}

/** Memoise a per-node build for one run (env): prepare() and run() share one build; a failed
 * build is forgotten, so a retry builds again. Keyed by the node's hash, not its id: a node of
 * another plan (another variant) under the same id is another build. */
export function memoPerNode<T>(make: (env: HandlerEnv, plan: Plan, node: PlanNode) => Promise<T>): (env: HandlerEnv, plan: Plan, node: PlanNode) => Promise<T> {
  const memo = new WeakMap<HandlerEnv, Map<string, Promise<T>>>();
  return (env, plan, node) => {
    const m = memo.get(env) ?? new Map<string, Promise<T>>();
    memo.set(env, m);
    let p = m.get(node.hash);
    if (!p) {
      p = make(env, plan, node);
      m.set(node.hash, p);
      p.catch(() => m.delete(node.hash));
    }
    return p;
  };
}

/** The tokenizer behind a plan node (a stage's, model's or eval model's), from the plan's tokenizer node. */
export function tokenizerFor(env: HandlerEnv, plan: Plan, id: string): Promise<Tokenizer> {
  return tokenizerOf(dataPlanFromPlan(plan, env.recipe), id);
}

/** The context length of the model behind a plan node (stage, model), from the model node's parameters. */
export function contextOf(plan: Plan, node: PlanNode): number {
  return paramsOf(rootModelNode(plan, node), "model.gpt").context;
}

/** The plan node named by a `{ $ref }` parameter. */
export function nodeById(plan: Plan, id: string): PlanNode {
  const n = plan.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`the plan has no node \`${id}\``);
  return n;
}

/**
 * The format to prompt a model with in an eval or a draw (`reader`): the inlined `format` of the
 * nearest stage in its init chain that declares one; for a model that never saw a format (a
 * pretrained base), the reader's `base_format` (written, or the format of the stages trained from it:
 * src/plan/base-format.ts; resolved and hashed by the lowering) — so "before SFT" and "after SFT"
 * accuracies are measured on the same prompts — and raw text when there is none.
 */
export function evalFormat(env: HandlerEnv, plan: Plan, id: string, reader: PlanNode): ChatFormat {
  const dp = dataPlanFromPlan(plan, env.recipe);
  let node: PlanNode | undefined = nodeById(plan, id);
  for (let guard = 0; node && guard <= plan.nodes.length; guard++) {
    if (hasFormat(node)) return chatFormatOf(dp, node.params.format);
    const init = refOf(node.params.init);
    node = init === null ? undefined : nodeById(plan, init);
  }
  const base = reader.params.base_format;
  return base !== undefined && base !== null ? chatFormatOf(dp, base) : RAW_FORMAT;
}

function hasFormat(n: PlanNode): boolean {
  const f = n.params.format;
  return n.kind === "stage" && f !== null && f !== undefined;
}
