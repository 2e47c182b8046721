// A training stage's figures as one line, each said with what it is measured on: held-out figures
// before → after beside their baseline, PPO's probe as a probe of its own training prompts, the
// training-batch means as the training batches'. The closing summary printed them as raw `key value`
// pairs (`greedy_rule_win_rate 0.5078`, `batch_accuracy 0.7309`), so a probe of training prompts read
// like a held-out win rate and a training-batch accuracy like the held-out one (figures38 #8).
import { fmtNum, fmtP } from "./format.js";
import { BATCH_MEANS } from "../batch-means.js";

/** No figure of the model (`workers`, `tokens_per_s`), or none to compare: PPO's sampled reward over the
 * first tenth of its steps is other prompts' rollouts, its noise the size of the change (figures38 #7). */
const NOT_SHOWN = new Set(["workers", "tokens_per_s", "reward_start"]);

export function stageHeadline(s: Record<string, number>): string {
  const used = new Set<string>(NOT_SHOWN);
  const take = (k: string): string => {
    used.add(k);
    return fmtNum(s[k]!);
  };
  const has = (k: string) => s[k] !== undefined;
  const parts: string[] = [];
  if (has("steps")) parts.push(`${take("steps")} steps`);
  if (has("val_loss")) {
    const before = has("val_loss_before") ? `${take("val_loss_before")} → ` : "";
    const base = has("val_loss_baseline") ? ` (best constant distribution ${take("val_loss_baseline")})` : "";
    parts.push(`held-out loss ${before}${take("val_loss")} nats/token${base}`);
  }
  if (has("heldout_accuracy")) {
    const before = has("heldout_accuracy_before") ? `${take("heldout_accuracy_before")} → ` : "";
    const byLength = has("heldout_accuracy_length_baseline") ? `, length alone ${take("heldout_accuracy_length_baseline")}` : "";
    if (s.accuracy === s.heldout_accuracy) used.add("accuracy"); // the same figure under the name evals use
    parts.push(`held-out pair accuracy ${before}${take("heldout_accuracy")} (chance 0.5${byLength})`);
  }
  // PPO's probe: greedy answers to 64 of its own training prompts, before and after (ppo-stage.ts)
  const probe: string[] = [];
  if (has("greedy_rule_win_rate")) {
    const counts = has("greedy_rule_wins") ? ` W${take("greedy_rule_wins")}/T${take("greedy_rule_ties")}/L${take("greedy_rule_losses")}` : "";
    const p = has("greedy_rule_p_value") ? `, sign test p ${fmtP(s.greedy_rule_p_value!)}` : "";
    used.add("greedy_rule_p_value");
    probe.push(`rule win rate over its start ${take("greedy_rule_win_rate")}${counts}${p}`);
  }
  for (const [key, label] of [["greedy_reward", "greedy reward"], ["greedy_rm_score", "greedy RM score"], ["greedy_rule_score", "greedy rule score"]] as const) {
    if (!has(key)) continue;
    // the RM score is the reward when the reward is the RM: said once
    if (key === "greedy_rm_score" && s.greedy_reward === s.greedy_rm_score && s.greedy_reward_before === s.greedy_rm_score_before) {
      used.add(key).add(`${key}_before`);
      continue;
    }
    probe.push(`${label} ${has(`${key}_before`) ? `${take(`${key}_before`)} → ` : ""}${take(key)}`);
  }
  if (probe.length) parts.push(`probe of its own training prompts (not held out): ${probe.join(", ")}`);
  const batch = BATCH_MEANS.filter(([k]) => has(k)).map(([k, label, after]) => `${label} ${take(k)}${after ?? ""}`);
  if (batch.length) parts.push(`training batches (last tenth of the steps): ${batch.join(", ")}`);
  // anything this table does not know yet is shown as it is, never dropped
  const rest = Object.keys(s).filter((k) => !used.has(k) && !k.includes("/"));
  if (rest.length) parts.push(rest.map((k) => `${k} ${fmtNum(s[k]!)}`).join(", "));
  return parts.join("; ");
}
