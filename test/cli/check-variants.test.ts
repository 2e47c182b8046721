// `alignc check` runs its data checks (truncation, contamination, text prompts) on every variant of a
// swept recipe, as `alignc plan` plans each: on the first only, a swept max_length that leaves examples
// without a response token checked clean with a warning and failed at its first plan (audit38 #3).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

test("check: a base checked beside a variant that extends it from a subfolder says each of the base's findings once", () => {
  mkdirSync(join(tmp, "variants"), { recursive: true });
  // max_length 64 under truncate = "right" cuts responses (the warning above), located in warn.align's override
  writeFileSync(join(tmp, "micro.align"), microRecipe());
  writeFileSync(join(tmp, "warn.align"), `recipe warn extends "micro.align" {\n  sft.max_length = 64\n  sft.truncate = "right"\n}\n`);
  writeFileSync(join(tmp, "variants", "seed.align"), `recipe seed2 extends "../warn.align" {\n  seed = 2\n}\n`);
  const both = alignc("check", "--json", "warn.align", "variants/seed.align");
  const ds = (JSON.parse(both.stdout) as { code: string; file: string; message: string }[]).filter((d) => d.code === "AL3032");
  // found through both files (seed 2 cuts 36 examples where seed 17 cuts 35), the base named as the command
  // line names it: the variant's spelled it absolute when '..' began to be resolved through links, and one
  // finding reached through both files was said twice
  assert.ok(ds.length >= 1, both.stdout);
  assert.deepEqual([...new Set(ds.map((d) => d.file))], ["warn.align"], JSON.stringify(ds));
  assert.equal(new Set(ds.map((d) => d.message)).size, ds.length, JSON.stringify(ds));
});
