// Typed, checked access to a plan node's parameters: the one way run handlers and exporters read a
// hyperparameter. The checker filled every default from the kinds table (src/check/kinds.ts) before
// lowering, so a node of a current plan carries every defaulted property; a node that lacks one comes
// from a plan written by another alignc version (or edited by hand), and is refused here instead of
// being run with some value nobody chose. Nothing in this file has a default of its own.
import type { ParamsByKind, PlanCall, PlanRef, StageDpoParams, StagePpoParams, StagePretrainParams, StageRewardModelParams, StageSftParams } from "../../generated/params.js";
import { KINDS } from "../check/kinds.js";
import type { Json, Plan, PlanNode } from "./types.js";

export type * from "../../generated/params.js";
export type ParamsKey = keyof ParamsByKind;
/** What every training stage carries (steps, lr, batch_size …) plus its own kind's parameters. */
export type TrainingParams = StagePretrainParams | StageSftParams | StageRewardModelParams | StagePpoParams | StageDpoParams;

/** What paramsOf reads of a node: a plan's node, or a lowered one before it is hashed (the estimates). */
export type ParamsNode = Pick<PlanNode, "id" | "kind" | "op" | "params">;

/** A stage node's parameters, typed by its kind. */
export function stageParams(node: ParamsNode): TrainingParams {
  return paramsOf(node, `stage.${node.op}` as ParamsKey) as TrainingParams;
}

/** A plan node whose parameters do not match its kind's declaration. */
export class PlanParamsError extends Error {
  override name = "PlanParamsError";
}

/** The properties of `<keyword>.<kind>` that the checker always fills (declared with a default). */
function defaulted(keyword: string, kind: string): string[] {
  const spec = (KINDS as Record<string, Record<string, { props: Record<string, { default?: unknown }> }>>)[keyword]?.[kind];
  return spec ? Object.entries(spec.props).filter(([, s]) => s.default !== undefined).map(([k]) => k) : [];
}

const checked = new WeakSet<ParamsNode>();

/**
 * The node's parameters as its kind's generated type. Throws PlanParamsError when the node is not of
 * that kind or lacks a property the kinds table gives a default (so it never falls back to one).
 */
export function paramsOf<K extends ParamsKey>(node: ParamsNode, key: K): ParamsByKind[K] {
  const [keyword, kind] = key.split(".") as [string, string];
  // a source that is a plan node of its own (samples) lowers to a data node
  if (node.kind !== (keyword === "source" ? "data" : keyword) || node.op !== kind) throw new PlanParamsError(`plan node \`${node.id}\` is a ${node.kind} ${node.op}, not a ${keyword} ${kind}`);
  if (!checked.has(node)) {
    const missing = defaulted(keyword, kind).filter((p) => !(p in node.params));
    if (keyword !== "model" && !("seed" in node.params)) missing.push("seed");
    if (missing.length)
      throw new PlanParamsError(`plan node \`${node.id}\` lacks resolved parameter${missing.length > 1 ? "s" : ""} ${missing.map((m) => `\`${m}\``).join(", ")}: the plan was written by another alignc version; plan the recipe again`);
    checked.add(node);
  }
  return node.params as unknown as ParamsByKind[K];
}

/** The id a `{ $ref }` parameter names, or null. */
export function refOf(v: Json | PlanRef | PlanCall | undefined): string | null {
  return v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as { $ref?: unknown }).$ref === "string" ? (v as { $ref: string }).$ref : null;
}

/** The node a reference parameter names; throws when the plan has no such node. */
export function refNode(plan: Plan, v: Json | PlanRef | undefined, what: string): PlanNode {
  const id = refOf(v);
  const node = id === null ? undefined : plan.nodes.find((n) => n.id === id);
  if (!node) throw new PlanParamsError(`${what}: the plan has no node ${id === null ? "(not a reference)" : `\`${id}\``}`);
  return node;
}

/** The model node at the root of a stage's (or model's, or eval model's) `init` chain. */
export function rootModelNode(plan: Plan, node: PlanNode): PlanNode {
  let cur = node;
  for (let guard = 0; cur.kind !== "model"; guard++) {
    const next = cur.params.init ?? cur.params.model;
    if (guard > plan.nodes.length || next === undefined) throw new PlanParamsError(`plan node \`${node.id}\`: no model at the root of its init chain`);
    cur = refNode(plan, next, `plan node \`${cur.id}\`.init`);
  }
  return cur;
}

/**
 * How long a stage trains: its `steps`, else `epochs` passes over the data (the kinds table declares
 * both without a default because exactly one of them applies; the checker refuses a stage with
 * neither, so a plan without either was not made by this alignc).
 */
export function stepsOrEpochs(p: TrainingParams): { steps: number; epochs: null } | { steps: null; epochs: number } {
  if (typeof p.steps === "number") return { steps: p.steps, epochs: null };
  if (typeof p.epochs === "number") return { steps: null, epochs: p.epochs };
  throw new PlanParamsError("a training stage's plan node has neither `steps` nor `epochs`: plan the recipe again");
}
