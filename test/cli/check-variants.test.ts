// `alignc check` runs its data checks (truncation, contamination, text prompts) on every variant of a
// swept recipe, as `alignc plan` plans each: on the first only, a swept max_length that leaves examples
// without a response token checked clean with a warning and failed at its first plan (audit38 #3).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";
import { microRecipe } from "../run/micro.js";

const tmp = mkdtempSync(join(tmpdir(), "alignc-check-variants-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const alignc = (...args: string[]) =>
  spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: join(tmp, ".cache") } });

test("check: a swept max_length is checked in every variant; what one variant finds names it; check agrees with plan", () => {
  writeFileSync(join(tmp, "micro.align"), microRecipe());
  writeFileSync(join(tmp, "sw.align"), `recipe sw extends "micro.align" {\n  sft.max_length = sweep [64, 30]\n  sft.truncate = "right"\n}\n`);
  const check = alignc("check", "sw.align");
  assert.equal(check.status, 1, check.stderr);
  assert.match(check.stderr, /error AL3030: stage `sft`: example .* keeps no response token at max_length 30 .*\(in sw\[max_length=30\]\)/);
  assert.match(check.stderr, /warning AL3032: .* at max_length 64 .*\(in sw\[max_length=64\]\)/);
  const plan = alignc("plan", "sw.align");
  assert.equal(plan.status, 1);
  assert.match(plan.stderr, /error AL3030/);
  // one value only: the same recipe checks as before, no variant named
  writeFileSync(join(tmp, "one.align"), `recipe one extends "micro.align" {\n  sft.max_length = 64\n  sft.truncate = "right"\n}\n`);
  const one = alignc("check", "one.align");
  assert.equal(one.status, 0, one.stderr);
  assert.doesNotMatch(one.stderr, /\(in /);
});
