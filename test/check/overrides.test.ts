// For any block of the quickstart and any numeric property of its kind, and any value its schema
// allows: the variant `recipe v extends "…/quickstart.align" { block.prop = value }` checks clean and
// its IR equals the quickstart's except for exactly that property.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { checkRecipeFile, checkRecipeText } from "../../src/check/index.js";
import { CANDIDATE_PROPS, KINDS } from "../../src/check/kinds.js";
import { fixtureDir, repoRoot } from "./helpers.js";

type Schema = Record<string, unknown>;
const quickstart = join(repoRoot(), "recipes", "quickstart.align");
// interplaying properties have their own checks (d_model % heads, heldout(x) needs holdout > 0,
// epochs beside the quickstart's steps is AL2041)
const excluded = new Set(["d_model", "heads", "holdout", "epochs"]);

test("for any valid numeric override of the quickstart, only that property changes", async () => {
  const base = (await checkRecipeFile(quickstart)).recipe!;
  assert.ok(base);
  const candidates = base.blocks.flatMap((b) =>
    Object.entries(KINDS[b.keyword]![b.kind]!.props)
      // properties of candidates sources only (src/label/) are refused on the quickstart's other roles
      .filter(([p, s]) => !excluded.has(p) && (b.role === "candidates" || !(CANDIDATE_PROPS as readonly string[]).includes(p)) && (s["type"] === "integer" || s["type"] === "number"))
      .map(([p, s]) => ({ block: b.name, prop: p, schema: s as Schema })),
  );
  assert.ok(candidates.length > 50);
  const valueFor = (s: Schema): fc.Arbitrary<number> => {
    const lo = (s["minimum"] as number | undefined) ?? ((s["exclusiveMinimum"] as number | undefined) ?? -1000) + 1e-3;
    // an exclusive maximum is not a value (dropout < 1): seed -784176139 drew dropout = 1 and failed (7 Dec 2026)
    const hi = (s["maximum"] as number | undefined) ?? (s["exclusiveMaximum"] !== undefined ? (s["exclusiveMaximum"] as number) - 1e-3 : lo + 1000);
    return s["type"] === "integer" ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }) : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map((x) => Number(x.toPrecision(6)));
  };
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...candidates).chain((c) => fc.tuple(fc.constant(c), valueFor(c.schema))),
      async ([c, value]) => {
        const text = `recipe v extends ${JSON.stringify(quickstart)} {\n  ${c.block}.${c.prop} = ${value}\n}\n`;
        const r = await checkRecipeText(text, join(fixtureDir, "override.align"));
        assert.deepEqual(r.diagnostics, []);
        const got = r.recipe!;
        assert.deepEqual(got.blocks.map((b) => b.name), base.blocks.map((b) => b.name));
        for (const [i, b] of got.blocks.entries()) {
          const want = { ...base.blocks[i]!.props };
          if (b.name === c.block) want[c.prop] = value;
          assert.deepEqual(b.props, want, `${b.name}`);
        }
      },
    ),
    // the failing draw as a regression example, with the value the generator now gives at that bound
    { numRuns: 100, examples: candidates.filter((c) => c.block === "tiny" && c.prop === "dropout").map((c) => [[c, 0.999]] as [[typeof c, number]]) },
  );
});
