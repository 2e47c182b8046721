// The plan checks of a reward model read by another node: PPO's reward (AL4001, AL4002, AL4027) and a win
// rate's judge or best-of pick (AL4014); apart from src/plan/checks.ts, which runs them with the rest.
import type { Json } from "./types.js";
import { canonicalJson } from "./canonical.js";
import { refId } from "./estimate.js";
import { TRUNCATE_DEFAULT } from "../check/kinds.js";
import type { CheckInput, Locator, Report } from "./checks.js";

/** PPO: the reward model must read the policy's tokens in the policy's chat format. */
export function checkRewardPolicyMatch({ nodes, lineage, hashes }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.op !== "ppo") continue;
    const rm = lineage.get(refId(n.params.reward) ?? "");
    const policy = lineage.get(refId(n.params.init) ?? "");
    if (!rm || !policy) continue;
    if (hashes.get(rm.tokenizer) !== hashes.get(policy.tokenizer))
      report("AL4001", "error", `${n.id} samples with tokenizer \`${policy.tokenizer}\`, its reward model ${refId(n.params.reward)} reads \`${rm.tokenizer}\``, at(n.block, "reward"));
    if (canonicalJson(rm.format) !== canonicalJson(n.params.format))
      report("AL4002", "error", `${n.id} formats prompts with ${describeFormat(n.params.format)}, its reward model ${refId(n.params.reward)} was trained on ${describeFormat(rm.format)}`, at(n.block, "reward"));
    // the reward model reads each rollout cut as its stage cut its training pairs (src/run/nodes/reward-reader.ts)
    const rmNode = nodes.find((x) => x.id === refId(n.params.reward));
    const [rmLength, window] = [rmNode?.params.max_length, n.params.max_length];
    if (rmNode?.kind === "stage" && typeof rmLength === "number" && typeof window === "number" && rmLength < window)
      report("AL4027", "warning", `${n.id} rolls out sequences of up to ${window} tokens; its reward model ${rmNode.id} reads at most ${rmLength} (its max_length), so it scores the longer ones cut (truncate = "${String(rmNode.params.truncate ?? TRUNCATE_DEFAULT)}")`, at(n.block, "reward"));
  }
}

/** win_rate with a reward-model judge: the judge must read what a and b write; a reward model that
 * picks a's best sample must read what a writes. */
export function checkJudgeMatch({ nodes, lineage, hashes }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.op !== "win_rate") continue;
    for (const [role, sides] of [["judge", ["a", "b"]], ["select", ["a"]]] as const) {
      const reader = lineage.get(refId(n.params[role]) ?? "");
      if (!reader) continue;
      for (const side of sides) {
        const m = lineage.get(refId(n.params[side]) ?? "");
        if (!m) continue;
        if (hashes.get(m.tokenizer) !== hashes.get(reader.tokenizer) || canonicalJson(m.format) !== canonicalJson(reader.format))
          report("AL4014", "error", `${n.id}: ${side} = ${refId(n.params[side])} (${m.tokenizer}, ${describeFormat(m.format)}) vs ${role} ${refId(n.params[role])} (${reader.tokenizer}, ${describeFormat(reader.format)})`, at(n.block, role));
      }
    }
  }
}

function describeFormat(f: Json): string {
  if (f && typeof f === "object" && !Array.isArray(f)) {
    const t = f.template;
    const path = t && typeof t === "object" && !Array.isArray(t) ? t.$file : undefined;
    return `${String(f.op)}(${typeof path === "string" ? JSON.stringify(path) : "?"})`;
  }
  return "no chat format";
}
