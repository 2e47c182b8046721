// The README's abridged quickstart checks as it stands, beside the recipe it abridges (auditB39 #1: its
// expect block named evals it left out, and it showed a temperature the recipe no longer has).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkRecipeText } from "../src/check/index.js";
import { ROOT } from "./data/recipe-fixture.js";

function abridged(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("`recipes/quickstart.align`, abridged");
  assert.ok(at >= 0, "the README's abridged quickstart");
  const open = readme.indexOf("```\n", at) + 4;
  return readme.slice(open, readme.indexOf("```", open));
}

test("the README's abridged quickstart checks clean where the quickstart lives, and keeps the recipe's PPO settings", async () => {
  const text = abridged();
  const r = await checkRecipeText(text, join(ROOT, "recipes", "readme-abridged.align"));
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), []);
  // every `name = value` of the abridged policy stage is the recipe's own
  const recipe = readFileSync(join(ROOT, "recipes", "quickstart.align"), "utf8");
  const policy = /stage policy = ppo \{([\s\S]*?)\n\}/.exec(recipe)![1]!;
  const shown = /stage policy = ppo\s*\{([\s\S]*?)\}/.exec(text)![1]!;
  for (const [, k, v] of shown.matchAll(/(\w+) = ("[^"]*"|\S+)/g)) assert.match(policy, new RegExp(`\\b${k} = ${v!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|$)`), `policy.${k} = ${v} in the README, not in the recipe`);
});

test("the README's tour of the language parses and checks, but for the data files it names as examples", async () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("## The `.align` language");
  const open = readme.indexOf("```\n", at) + 4;
  const text = readme.slice(open, readme.indexOf("```", open));
  const r = await checkRecipeText(text, join(ROOT, "recipes", "readme-tour.align"));
  // its files (data/s.jsonl, a templates folder) are placeholders: AL2016, file not found, and nothing else
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error" && d.code !== "AL2016").map((d) => `${d.code} ${d.message}`), []);
});
