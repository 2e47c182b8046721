// generated/params.ts (the typed parameters of plan nodes) is current with the kinds table, and
// paramsOf refuses a node that lacks a defaulted parameter instead of running it with some value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateParamsSource } from "../../src/check/gen-params.js";
import { paramsOf, PlanParamsError } from "../../src/plan/params.js";
import type { PlanNode } from "../../src/plan/types.js";
import { repoRoot } from "../repo-root.js";

test("generated/params.ts matches src/check/kinds.ts (run `npm run generate:params`)", () => {
  assert.equal(readFileSync(join(repoRoot(), "generated", "params.ts"), "utf8"), generateParamsSource(), "generated/params.ts is stale");
});

test("paramsOf: a node missing a defaulted parameter, or of another kind, is refused by name", () => {
  const golden = JSON.parse(readFileSync(join(repoRoot(), "recipes", "quickstart.plan.json"), "utf8")) as { nodes: PlanNode[] };
  const policy = golden.nodes.find((n) => n.id === "policy")!;
  assert.equal(paramsOf(policy, "stage.ppo").kl_coef, 0.05); // the quickstart policy's own kl_coef
  const { kl_coef: _, ...rest } = policy.params;
  assert.throws(() => paramsOf({ ...policy, params: rest }, "stage.ppo"), (e: unknown) => e instanceof PlanParamsError && /lacks resolved parameter `kl_coef`/.test(e.message));
  assert.throws(() => paramsOf(policy, "stage.sft"), PlanParamsError);
});
