// A row template's top level names fields: `{{this}}` and `{{.}}` there print the whole row, "[object Object]",
// and `{{../x}}` prints nothing, so every example trained on that text or on nothing, with check passing
// (huntZ40 M3). They fail as fields the rows lack (AL3010, located); inside `{{#each}}` they keep their meaning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeFile, checkRecipeText } from "../../src/check/index.js";
import { buildExamples } from "../../src/data/index.js";
import type { DataError } from "../../src/data/diag.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-rowtpl-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "rows.jsonl"), ['{"instruction": "Say hi", "response": "hi", "tags": ["a", "b"]}', '{"instruction": "Say bye", "response": "bye", "tags": ["c"]}'].join("\n") + "\n");

const build = async (prompt: string) => {
  const src = `recipe r { seed = 1 }\nsource demos = jsonl("rows.jsonl") as demonstrations {\n  prompt = ${JSON.stringify(prompt)}\n  response = "{{response}}"\n}\n`;
  const r = await checkRecipeText(src, join(dir, "r.align"));
  assert.deepEqual(r.diagnostics, []);
  return buildExamples(r.recipe!, "demos");
};

test("a row template's top-level {{this}}, {{.}} and {{../x}} are AL3010 at the template, not rows of \"[object Object]\" or nothing", async () => {
  for (const bad of ["{{this}}", "Q: {{.}}", "{{../instruction}}"]) {
    await assert.rejects(build(bad), (e: DataError) => {
      const d = e.diagnostics[0]!;
      return d.code === "AL3010" && d.file === join(dir, "r.align") && d.span?.line === 3 && /prompt template uses `(this|\.|\.\.\/instruction)`/.test(d.message);
    }, bad);
  }
  const ok = await build("{{instruction}} ({{#each tags}}{{this}} {{/each}})");
  if (ok.kind !== "sft") return assert.fail();
  assert.deepEqual(ok.train.map((e) => e.prompt).sort(), ["Say bye (c )", "Say hi (a b )"]);
});

test("{{#each}} over a string, and a template that prints nothing, fail at the row (AL3004, AL3033), not as empty prompts", async () => {
  // `{{#each instruction}}` over a string rendered nothing and `prompt = ""` gave every example an empty
  // prompt, check passing (huntZ40 M3's rest)
  const at = (code: string, re: RegExp) => (e: DataError) => {
    const d = e.diagnostics[0]!;
    return d.code === code && d.file === join(dir, "rows.jsonl") && d.span?.line === 1 && re.test(d.message);
  };
  await assert.rejects(build("{{#each instruction}}{{this}}{{/each}}"), at("AL3004", /`\{\{#each instruction\}\}` walks a list or an object; `instruction` is a string/));
  await assert.rejects(build(""), at("AL3033", /empty prompt \(its template prints nothing for this row\)/));
  await assert.rejects(build("  {{#unless tags}}x{{/unless}} "), at("AL3033", /empty prompt/));
  // an #each with an {{else}} names its own case for nothing to walk (reviewR41)
  const withElse = await build("{{instruction}}{{#each instruction}}!{{else}}?{{/each}}");
  if (withElse.kind !== "sft") return assert.fail();
  assert.deepEqual(withElse.train.map((e) => e.prompt).sort(), ["Say bye?", "Say hi?"]);
  // #each over a list or an object keeps working; #with over a string is its value
  const ok = await build("{{#with instruction}}{{this}}{{/with}}:{{#each tags}}{{this}}{{/each}}");
  if (ok.kind !== "sft") return assert.fail();
  assert.deepEqual(ok.train.map((e) => e.prompt).sort(), ["Say bye:c", "Say hi:ab"]);
});

test("a template an extending recipe overrides is located in that recipe's file, not the base's (close40 §4)", async () => {
  writeFileSync(join(dir, "base.align"), `recipe base { seed = 1 }\nsource demos = jsonl("rows.jsonl") as demonstrations {\n  prompt = "{{instruction}}"\n  response = "{{response}}"\n}\n`);
  for (const role of ["prompt", "response"]) {
    const child = join(dir, `child-${role}.align`);
    writeFileSync(child, `recipe child extends "base.align" {\n  demos.${role} = "{{nope}}"\n}\n`);
    const r = await checkRecipeFile(child);
    assert.deepEqual(r.diagnostics, []);
    await assert.rejects(buildExamples(r.recipe!, "demos"), (e: DataError) => {
      const d = e.diagnostics[0]!;
      return d.code === "AL3010" && d.file === child && d.span?.line === 2 && d.span.col === 12 + role.length;
    }, role);
  }
});
