// One name and one default per parameter, in the kinds table (src/check/kinds/*.ts): the plan carries
// each default as the checker resolved it. For every example recipe (every variant of a swept one),
// every block's plan node holds every property its kind declares with a default, and where the recipe
// leaves one out, the node holds the table's default, not some other value filled in on the way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { checkRecipeFile } from "../../src/check/index.js";
import { KINDS } from "../../src/check/kinds.js";
import { conditionalDefault, type Schema } from "../../src/check/kind-schemas.js";
import type { CheckedRecipe } from "../../src/check/ir.js";
import { planRecipe } from "../../src/plan/compile.js";
import { expandVariants } from "../../src/plan/variants.js";
import type { Plan } from "../../src/plan/types.js";
import { repoRoot } from "../repo-root.js";

function problems(recipe: CheckedRecipe, plan: Plan): string[] {
  const out: string[] = [];
  const nodes = new Map(plan.nodes.map((n) => [n.id, n]));
  for (const b of recipe.blocks) {
    const spec = (KINDS as Record<string, Record<string, { props: Record<string, Schema & { default?: unknown }> }>>)[b.keyword]?.[b.kind];
    if (!spec) continue;
    // `samples(x) as rankings` draws in `<name>/draw` (the samples node) and ranks in `<name>`
    const node = nodes.get(`${b.name}/draw`) ?? nodes.get(b.name);
    if (!node) continue; // a candidates source is no plan node (src/plan/lower.ts)
    for (const [prop, schema] of Object.entries(spec.props)) {
      if (schema.default === undefined) continue;
      const where = `${recipe.name}: ${b.keyword} ${b.name} (${b.kind}).${prop}`;
      if (!(prop in node.params)) {
        out.push(`${where}: missing from plan node \`${node.id}\``);
        continue;
      }
      if (b.propSpans[prop] !== undefined) continue; // declared
      // the table's default, or its `defaultWhen` (a default that depends on another property)
      const expected = conditionalDefault(schema, b.props) ?? schema.default;
      if (!isDeepStrictEqual(node.params[prop], expected)) out.push(`${where}: plan has ${JSON.stringify(node.params[prop])}, the kinds table's default is ${JSON.stringify(expected)}`);
    }
  }
  return out;
}

test("every example recipe's plan carries each kinds-table default, and the table's own value where the recipe leaves it out", async () => {
  const dir = join(repoRoot(), "recipes");
  const files = readdirSync(dir).filter((f) => f.endsWith(".align"));
  assert.ok(files.length >= 4, files.join(" "));
  let checkedNodes = 0;
  const all: string[] = [];
  for (const f of files) {
    const checked = await checkRecipeFile(join(dir, f));
    assert.ok(checked.recipe, `${f}: ${JSON.stringify(checked.diagnostics.filter((d) => d.severity === "error"))}`);
    const variants = expandVariants(checked.recipe);
    for (const r of variants.length ? variants.map((v) => v.recipe) : [checked.recipe]) {
      const planned = planRecipe(r);
      assert.ok(planned.plan, `${f}: ${JSON.stringify(planned.diagnostics.filter((d) => d.severity === "error"))}`);
      all.push(...problems(r, planned.plan));
      checkedNodes += planned.plan.nodes.length;
    }
  }
  assert.deepEqual(all, []);
  assert.ok(checkedNodes > 20);
});
