// The rule judge: the rule the bundled demo rankings were generated from (src/data/demo/rule.ts,
// see recipes/data/README.md). A win is a lower class; equal classes tie.
export { ruleClass, ruleDecidedBy, ruleOutcome, ruleReward, PREAMBLE, type RuleClass } from "../../data/demo/rule.js";
