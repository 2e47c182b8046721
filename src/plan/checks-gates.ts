// Gates a run could never meet for want of data, found before any compute: a metric on held-out data
// (a stage's val_loss, a reward model's held-out accuracy) exists only when the stage's data holds
// examples out. Without them the run trained every stage and ended with "sft has no metric `val_loss`",
// exit 3 (hunt38). Read from the plan's measured sizes: a plan without them (nothing measured) is not judged.
import type { IRCondition, IRValue } from "../check/ir.js";
import type { CheckInput, Locator, Report } from "./checks.js";
import { heldoutNode, refId } from "./estimate.js";

/** Summary metrics a stage has only when its data holds examples out (src/run/nodes/stages.ts). */
const HELD_OUT_METRICS: Record<string, readonly string[]> = {
  pretrain: ["val_loss", "val_loss_before", "val_loss_baseline"],
  sft: ["val_loss", "val_loss_before", "val_loss_baseline"],
  // a reward model's and DPO's `accuracy` is their held-out pairs' (heldout_accuracy)
  reward_model: ["accuracy", "heldout_accuracy", "heldout_accuracy_before", "heldout_accuracy_length_baseline"],
  dpo: ["accuracy", "heldout_accuracy", "heldout_accuracy_before", "heldout_accuracy_length_baseline"],
};

export function checkHeldOutGates({ recipe, nodes, estimates }: CheckInput, report: Report, _at: Locator): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const stages = new Map(nodes.filter((n) => n.kind === "stage" && n.block).map((n) => [n.block!, n]));
  for (const c of recipe.expects)
    for (const side of sides(c)) {
      const stage = stages.get(side.$ref);
      if (!stage || !HELD_OUT_METRICS[stage.op]?.includes(side.member)) continue;
      // a pretrain stage holds out its own share of its corpus (its `holdout`, which the sizes' cache key
      // does not carry: a count measured for another holdout could be read back; review38 H1)
      const pretrain = stage.op === "pretrain";
      const split = pretrain ? undefined : heldoutNode(refId(stage.params.data), byId);
      const held = pretrain ? (stage.params.holdout === 0 ? 0 : undefined) : split ? estimates.get(split.id)?.size?.heldout : undefined;
      if (held !== 0) continue; // held-out examples, or sizes not measured
      const fix = pretrain ? "set the stage's `holdout` above 0" : "set `holdout` on the data it trains on";
      report("AL4029", "error", `expect ${c.text}: stage \`${stage.block}\` has no ${side.member}: its data holds no examples out; ${fix}, or gate on what the stage has`, { file: c.file ?? recipe.file, span: c.span });
    }
}

/** A condition's `stage.metric` references, both sides and their terms. */
function sides(c: IRCondition): { $ref: string; member: string }[] {
  const out: { $ref: string; member: string }[] = [];
  for (const v of [c.left, c.right, ...(c.leftTerms ?? []).map((t) => t.value), ...(c.rightTerms ?? []).map((t) => t.value)]) if (isMemberRef(v)) out.push(v);
  return out;
}

function isMemberRef(v: IRValue): v is { $ref: string; member: string } {
  return v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as { $ref?: unknown }).$ref === "string" && typeof (v as { member?: unknown }).member === "string";
}

