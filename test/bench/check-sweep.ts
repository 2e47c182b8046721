// `npm run bench -- check-sweep`: `alignc check` of a 64-variant hyperparameter sweep of the quickstart
// (sft.lr × policy.kl_coef, 8 × 8: no data node changes) against `alignc check` of one variant of it
// (the same recipe with one value of each written), both cold: each run gets a cache folder of its own,
// so no truncation count, contamination finding or file digest comes from an earlier run. The variants
// share their data builds (src/data/shared-builds.ts), so the sweep costs little more than one variant;
// before, every variant built and checked its data again (~100 ms a variant: 64 variants ~7 s on top).
// Whole processes, medians of RUNS, run alternately; the goal is on the wall-clock ratio, the CPU
// (user + sys of the child) ratio is printed beside it, the steadier figure on a shared machine.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../repo-root.js";

const RUNS = 5;
const GOAL = 3;
const VALUES = 8; // per swept property: VALUES² variants

const root = repoRoot();
const alignc = join(root, "bin", "alignc.js");
const quickstart = join(root, "recipes", "quickstart.align");
const tmp = mkdtempSync(join(tmpdir(), "alignc-bench-check-sweep-"));

const lrs = Array.from({ length: VALUES }, (_, i) => `${i + 1}e-4`);
const kls = Array.from({ length: VALUES }, (_, i) => `${((i + 1) * 0.01).toFixed(2)}`);
const write = (name: string, body: string): string => {
  const file = join(tmp, `${name}.align`);
  writeFileSync(file, `recipe ${name} extends ${JSON.stringify(quickstart)} {\n${body}}\n`);
  return file;
};
const one = write("one", `  sft.lr = ${lrs[0]}\n  policy.kl_coef = ${kls[0]}\n`);
const sweep = write("lr_kl", `  sft.lr = sweep [${lrs.join(", ")}]\n  policy.kl_coef = sweep [${kls.join(", ")}]\n`);

interface Sample {
  wall: number; // ms
  cpu: number; // ms, the child's user + sys
}

let run = 0;
function check(file: string): Sample {
  const cache = join(tmp, `cache-${run++}`); // cold: nothing cached by an earlier run
  const t = performance.now();
  // ALIGNC_TIMINGS=1: check prints its own CPU time (the whole process, start-up included) on stderr
  const r = spawnSync(process.execPath, [alignc, "check", file], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ALIGNC_CACHE_DIR: cache, ALIGNC_TIMINGS: "1" } });
  const wall = performance.now() - t;
  rmSync(cache, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`alignc check ${file} exited ${r.status}:\n${r.stderr}`);
  return { wall, cpu: Number(/timings ms: .* cpu ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} (1, 5, 15 min); medians of ${RUNS} cold runs each, alternating`);
  check(one); // the file cache and the module cache of the OS, warmed once
  const ones: Sample[] = [];
  const sweeps: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    ones.push(check(one));
    sweeps.push(check(sweep));
  }
  const m = (xs: Sample[], k: keyof Sample) => median(xs.map((s) => s[k]));
  const wall = m(sweeps, "wall") / m(ones, "wall");
  const cpu = m(sweeps, "cpu") / m(ones, "cpu");
  console.log(`one variant:     wall ${(m(ones, "wall") / 1000).toFixed(3)} s  cpu ${(m(ones, "cpu") / 1000).toFixed(3)} s`);
  console.log(`${VALUES * VALUES} variants:     wall ${(m(sweeps, "wall") / 1000).toFixed(3)} s  cpu ${(m(sweeps, "cpu") / 1000).toFixed(3)} s  (${((m(sweeps, "wall") - m(ones, "wall")) / (VALUES * VALUES - 1)).toFixed(1)} ms wall a further variant)`);
  console.log(`ratio: wall ${wall.toFixed(2)}x, cpu ${cpu.toFixed(2)}x; load average now ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  console.log(`check-sweep: ${wall.toFixed(2)}x (goal <= ${GOAL})`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
