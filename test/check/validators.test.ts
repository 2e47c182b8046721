// The precompiled validators (generated/validators.ts) are current with kinds.ts, and behave exactly like
// validators compiled at run time (the fallback when the generated file is stale).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateValidatorsSource } from "../../src/check/gen-validators.js";
import { exportName, generatedValidatorsCurrent, newAjv, schemaTable } from "../../src/check/schemas.js";
import * as generated from "../../generated/validators.js";
import { repoRoot } from "./helpers.js";

test("generated/validators.ts is current with kinds.ts (else: npm run generate:validators)", () => {
  assert.ok(generatedValidatorsCurrent(), "schema hash differs: npm run generate:validators");
  const committed = readFileSync(join(repoRoot(), "generated/validators.ts"), "utf8");
  assert.ok(committed === generateValidatorsSource(), "generated/validators.ts differs from what the generator writes: npm run generate:validators");
});

test("generated and run-time compiled validators give the same errors and defaults", () => {
  const ajv = newAjv();
  const samples: unknown[] = [
    {},
    { lr: 0, steps: 1.5, init: { $ref: "x" }, data: 3, shots: { $range: [2, "a"] } },
    { tokenizer: "bytes", layers: -1, heads: 0, weights: { $call: "nope", args: [] } },
    { prompts: { $call: "heldout", args: [{ $ref: "p" }] }, kl_coef: -1, judge: "rules", components: { a: { cap: 0, weight: 1, x: 1 } } },
    [1, 2],
    ["a.jsonl"],
  ];
  for (const [key, schema] of Object.entries(schemaTable())) {
    const gen = (generated as unknown as Record<string, (d: unknown) => boolean>)[exportName(key)] as ((d: unknown) => boolean) & { errors?: unknown };
    assert.equal(typeof gen, "function", key);
    const rt = ajv.compile(schema);
    for (const sample of samples) {
      const a = structuredClone(sample);
      const b = structuredClone(sample);
      assert.equal(gen(a), rt(b), key);
      assert.deepEqual(gen.errors ?? null, rt.errors ?? null, key);
      assert.deepEqual(a, b, `${key}: defaults filled alike`);
    }
  }
});
