// A plan.json that is not JSON (cut short by a full disk or a copy, edited by hand) is named at its
// line and column, as every other located error is: the engine's "in JSON at position 300" said
// nothing to someone opening a 40 KB plan in an editor (found by an audit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonErrorAt, readPlanFile, PlanFileError } from "../../src/plan/load.js";
import { repoRoot } from "../repo-root.js";

const PLAN_START = '{\n  "version": 1,\n  "nodes": [\n    { "id": "pre", "kind": "stage" },\n    { "id": "sft"';

const messageOf = (text: string): string => {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("parsed");
};

test("a JSON error's position becomes file:line:col, and the position is no longer in the message", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-plan-load-"));
  const cases: [string, string][] = [
    [PLAN_START, "p.json:5:18: "], // truncated mid-object: just after its last character
    [`${PLAN_START}\n\n`, "p.json:5:18: "], // the blank lines after it are not the place
    ['{\n  "a": 1\n  "b": 2\n}\n', "p.json:3:3: "], // a missing comma: at the next property
    ["", "p.json:1:1: "],
  ];
  for (const [text, at] of cases) {
    const p = join(dir, "p.json");
    writeFileSync(p, text);
    assert.throws(
      () => readPlanFile(p),
      (e: unknown) => e instanceof PlanFileError && e.message.startsWith(join(dir, at)) && !/position \d/.test(e.message),
      JSON.stringify(text),
    );
  }
  // Node 22 appends its own "(line L column C)": said once, in front
  assert.equal(jsonErrorAt("p.json", '{\n  "a": 1\n  "b": 2\n}', "Expected ',' or '}' after property value in JSON at position 13 (line 3 column 3)"), "p.json:3:3: Expected ',' or '}' after property value in JSON");
  // V8 names no position for an unexpected token, only an excerpt: found all the same
  assert.equal(jsonErrorAt("p.json", "[1,\n x]", messageOf("[1,\n x]")), `p.json:2:2: ${messageOf("[1,\n x]")}`);
  // at the token it names: the 'o' of `nope`, which began as `null`
  const long = `{\n  "nodes": [\n${"    { \"id\": \"n\" },\n".repeat(500)}    { "id": nope }\n  ]\n}\n`;
  assert.match(jsonErrorAt("p.json", long, messageOf(long)), /^p\.json:503:14: Unexpected token 'o'/);
});

test("alignc run and alignc diff name a broken plan.json at line:col (exit 1 and 2)", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-plan-load-"));
  writeFileSync(join(dir, "p.json"), PLAN_START);
  writeFileSync(join(dir, "q.json"), "{}\n");
  const alignc = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const run = alignc("run", "p.json");
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /^alignc run: p\.json:5:18: /m);
  const diff = alignc("diff", "p.json", "q.json");
  assert.equal(diff.status, 2, diff.stderr);
  assert.match(diff.stderr, /^alignc diff: p\.json:5:18: /m);
});

test("a plan.json that names one node twice is not a plan (a run or diff of it read either copy)", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-plan-dup-"));
  const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "plan", "--json", join(repoRoot(), "recipes", "quickstart.align")], { encoding: "utf8" });
  const plan = JSON.parse(r.stdout) as { nodes: unknown[] };
  writeFileSync(join(dir, "ok.json"), JSON.stringify(plan));
  readPlanFile(join(dir, "ok.json")); // the plan as written reads
  plan.nodes.push(plan.nodes[plan.nodes.length - 1]);
  const p = join(dir, "dup.json");
  writeFileSync(p, JSON.stringify(plan));
  assert.throws(() => readPlanFile(p), (e: unknown) => e instanceof PlanFileError && /not a plan \(node `\w+` appears twice\)/.test(e.message));
});
