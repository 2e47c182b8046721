// A ranking group's responses are counted as the reward model reads them, through the stage's chat
// format, by every command that counts them: `alignc data --stats` counted prompt + response unformatted
// and printed "max 53 over context 64: 0" under a header saying "as stage rm reads it", where the plan
// and `check` found 71 tokens and refused the stage (review35 M2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { microRecipe, repoRoot } from "../run/micro.js";

test("alignc data --stats counts a rankings source's responses as plan does: through the reading stage's chat format", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-cmp-len-"));
  const file = join(dir, "micro.align");
  writeFileSync(file, microRecipe());
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ALIGNC_CACHE_DIR: join(dir, "cache") } });
  const data = cli("data", file, "--source", "prefs", "--stats", "--json");
  assert.equal(data.status, 0, data.stderr);
  const block = (JSON.parse(data.stdout) as { data: { stage: string; stats: { tokens: { max: number; over: number } } }[] }).data[0]!;
  assert.equal(block.stage, "rm");
  const plan = cli("plan", file, "--json");
  assert.equal(plan.status, 0, plan.stderr);
  const node = (JSON.parse(plan.stdout) as { nodes: { id: string; estimates: { size?: { max_tokens: number } } }[] }).nodes.find((n) => n.id === "prefs/tokenize")!;
  assert.equal(block.stats.tokens.max, node.estimates.size!.max_tokens, "the longest response as the reward model reads it, in both");
  assert.ok(block.stats.tokens.over > 0, "the micro recipe's formatted pairs pass its context of 64: said");
});
