// What the node handlers share: the checked recipe of the variant being run (the data layer builds
// examples from its blocks; the run verified that its plan is the one being executed), the backend
// (selected on first use, so a run whose nodes are all cached never loads TensorFlow.js), and
// helpers that find a node's model, tokenizer and chat format. Hyperparameters are never read here:
// handlers take them from the plan node (src/plan/params.ts).
import type { CheckedBlock, CheckedRecipe, IRValue } from "../../check/ir.js";
import { paramsOf, rootModelNode } from "../../plan/params.js";
import type { Plan, PlanNode } from "../../plan/types.js";
import { loadFormat } from "../../data/build.js";
import { RAW_FORMAT } from "../../data/chat.js";
import { findBlock, isRef } from "../../data/ir.js";
import { recipeTokenizer } from "../../data/recipe-tokenizer.js";
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
  /** data-parallel replicas for pretrain/SFT (src/run/nodes/parallel.ts); absent: 1 */
  workers?: number;
}

/** Memoise a per-node build for one run (env): prepare() and run() share one build; a failed
 * build is forgotten, so a retry builds again. */
export function memoPerNode<T>(make: (env: HandlerEnv, plan: Plan, node: PlanNode) => Promise<T>): (env: HandlerEnv, plan: Plan, node: PlanNode) => Promise<T> {
  const memo = new WeakMap<HandlerEnv, Map<string, Promise<T>>>();
  return (env, plan, node) => {
    const m = memo.get(env) ?? new Map<string, Promise<T>>();
    memo.set(env, m);
    let p = m.get(node.id);
    if (!p) {
      p = make(env, plan, node);
      m.set(node.id, p);
      p.catch(() => m.delete(node.id));
    }
    return p;
  };
}

/** The recipe block a plan node lowers. */
export function blockOf(env: HandlerEnv, node: PlanNode): CheckedBlock {
  return findBlock(env.recipe, node.block || node.id);
}

export function refName(v: IRValue | undefined): string | null {
  return isRef(v) ? v.$ref : null;
}

/** The model block at the root of a stage's `init` chain (or the block itself when it is a model). */
export function rootModel(env: HandlerEnv, name: string): CheckedBlock {
  let b = findBlock(env.recipe, name);
  for (let guard = 0; b.keyword !== "model" && guard < 100; guard++) {
    const init = refName(b.props.init) ?? refName(b.props.model);
    if (!init) throw new Error(`${b.name}: cannot find the model it starts from`);
    b = findBlock(env.recipe, init);
  }
  return b;
}

export function tokenizerFor(env: HandlerEnv, name: string): Promise<Tokenizer> {
  return recipeTokenizer(env.recipe, refName(rootModel(env, name).props.tokenizer) ?? undefined);
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

/** A stage's own chat format (its `format` property), else raw `prompt\nresponse`. */
export function stageFormat(env: HandlerEnv, b: CheckedBlock): ChatFormat {
  const f = refName(b.props.format);
  return f ? loadFormat(env.recipe, f) : RAW_FORMAT;
}

/**
 * The format to prompt a model with in an eval: the format of the nearest stage in its init chain
 * that declares one; for a model that never saw a format (a pretrained base), the format of the
 * first stage of the recipe that declares one — so "before SFT" and "after SFT" accuracies are
 * measured on the same prompts.
 */
export function evalFormat(env: HandlerEnv, modelName: string): ChatFormat {
  let b: CheckedBlock | undefined = findBlock(env.recipe, modelName);
  for (let guard = 0; b && guard < 100; guard++) {
    const f = refName(b.props.format);
    if (f) return loadFormat(env.recipe, f);
    const init = refName(b.props.init);
    b = init ? findBlock(env.recipe, init) : undefined;
  }
  const first = env.recipe.blocks.find((x) => x.keyword === "stage" && refName(x.props.format));
  return first ? stageFormat(env, first) : RAW_FORMAT;
}

