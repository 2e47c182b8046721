// `--no-budget` on `plan` and `run` (issue 15, point 3): a recipe without a `budget { time <= … }`
// whose estimate passes the 30-day ceiling is refused (AL4017, exit 1, no run folder) unless the
// command is given --no-budget, which turns the refusal into the long-run warning (AL4016). The CLI
// only parses the flag; the library (compile, compileForRun, planRecipe's noBudget) decides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resumeCommand } from "../../src/cli/commands/run.js";
import { microRecipe, repoRoot } from "../run/micro.js";

const bin = join(repoRoot(), "bin", "alignc.js");

function alignc(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, CI: "true", ALIGNC_CACHE: join(cwd, "cache"), XDG_CACHE_HOME: join(cwd, "xdg") } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("plan and run refuse a 30-day-plus estimate without a budget; --no-budget accepts it with a warning", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-nobudget-"));
  try {
    // ten million pretraining steps of 4096 sequences: months on wasm
    const recipe = join(dir, "long.align");
    writeFileSync(recipe, microRecipe({ name: "long" }).replace("steps = 6  batch_size = 4  log_every = 2", "steps = 10000000  batch_size = 4096  log_every = 2"));

    const refused = alignc(dir, "plan", recipe);
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, /error AL4017: .*30-day ceiling.*--no-budget.*declare `budget \{ time <= \d+d \}`/);
    const accepted = alignc(dir, "plan", "--no-budget", recipe);
    assert.equal(accepted.code, 0, accepted.err);
    assert.doesNotMatch(accepted.err, /AL4017/);
    assert.match(accepted.err, /warning AL4016: .*past the 30-day ceiling \(accepted: --no-budget\)/);

    // run: refused before anything is written; accepted (only up to the model's initialisation here)
    const runRefused = alignc(dir, "run", "--workers", "1", "--until", "tiny", recipe);
    assert.equal(runRefused.code, 1, runRefused.err);
    assert.match(runRefused.err, /error AL4017/);
    assert.ok(!existsSync(join(dir, "runs")), "no run folder when the plan has errors");
    const runAccepted = alignc(dir, "run", "--workers", "1", "--no-budget", "--until", "tiny", recipe);
    assert.equal(runAccepted.code, 0, runAccepted.err);
    assert.match(runAccepted.err, /warning AL4016/);

    // a recipe's own budget still holds with --no-budget
    writeFileSync(recipe, `${microRecipe({ name: "long" }).replace("steps = 6  batch_size = 4  log_every = 2", "steps = 10000000  batch_size = 4096  log_every = 2")}budget { time <= 1d }\n`);
    const own = alignc(dir, "plan", "--no-budget", recipe);
    assert.equal(own.code, 1, own.err);
    assert.match(own.err, /error AL4009: .*`time <= 1d`: the plan.s estimate is/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--no-budget is in plan's and run's --help, and the Ctrl-C resume hint repeats it", () => {
  for (const cmd of ["plan", "run"]) assert.match(alignc(repoRoot(), cmd, "--help").out, /--no-budget\s+accept a time estimate past the 30-day ceiling/);
  assert.equal(resumeCommand("r.align", { tiny: true, noBudget: true }), "alignc run --tiny --no-budget r.align");
});
