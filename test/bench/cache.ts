// `npm run bench -- cache`: what the stage cache saves, measured on whole `alignc run` processes.
//   1. cold: the quickstart with an empty cache (the baseline)
//   2. re-run after changing only PPO's kl_coef (a variant recipe that `extends` the quickstart):
//      pretrain, SFT and the RM are reused; PPO and the evals that read the policy re-run
//   3. an unchanged re-run: every node is a cache hit
// Last line: `cache: rerun <fraction> of cold (goal <= 0.3), unchanged <s> s (goal <= 2)`.
// `ALIGNC_BENCH_TINY=1` (or `npm run bench -- cache --tiny`) runs the three with --tiny, to fit a
// short session; the printed lines say which was used.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const bin = join(root, "bin", "alignc.js");
const recipe = join(root, "recipes", "quickstart.align");
const tiny = process.env.ALIGNC_BENCH_TINY === "1" || process.argv.includes("--tiny");
const work = mkdtempSync(join(tmpdir(), "alignc-bench-cache-"));
const env = { ...process.env, ALIGNC_CACHE: join(work, "cache"), CI: "true" };

function timed(label: string, file: string, showSummary = false): number {
  const args = [bin, "run", file, ...(tiny ? ["--tiny"] : [])];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: work, env, encoding: "utf8", maxBuffer: 64 << 20 });
  const s = (performance.now() - t0) / 1000;
  const tail = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-6).join("\n");
  // exit 3 (an expectation failed) still ran every node that could run: the timing stands
  if (r.status !== 0 && r.status !== 3) {
    console.error(`${label}: alignc run exited ${r.status}\n${tail}`);
    process.exit(1);
  }
  const hits = /(\d+) cached/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? "?";
  console.log(`${label.padEnd(28)} ${s.toFixed(2).padStart(8)} s   exit ${r.status}, cached nodes: ${hits}`);
  // the cold run is a whole quickstart: its per-node results and expectations are worth keeping
  if (showSummary) for (const line of r.stdout.split("\n").filter((l) => l.startsWith("  "))) console.log(`    ${line.trim()}`);
  return s;
}

try {
  const variant = join(work, "quickstart_kl.align");
  writeFileSync(variant, `// only PPO's KL coefficient differs\nrecipe quickstart_kl extends "${recipe.replace(/\\/g, "/")}" {\n  policy.kl_coef = 0.2\n}\n`);
  console.log(`cache bench: quickstart${tiny ? " with --tiny" : ""}, whole processes, cache in ${env.ALIGNC_CACHE}`);
  const cold = timed("cold (baseline)", recipe, true);
  const rerun = timed("rerun, kl_coef changed", variant);
  const unchanged = timed("unchanged rerun", recipe);
  if (tiny) console.log("(all three runs used --tiny)");
  console.log(`cache: rerun ${(rerun / cold).toFixed(2)} of cold (goal <= 0.3), unchanged ${unchanged.toFixed(2)} s (goal <= 2)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
