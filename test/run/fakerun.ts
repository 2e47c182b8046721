// Builds a run directory through RunDir's own API (the same calls the executor makes), for tests of
// what reads run directories: report, runs listing, metric diff.
import { RunDir, hostInfo, type Manifest, type NodeRecord } from "../../src/run/storage/rundir.js";

export function makeRun(runsDir: string, opts: { recipe?: string; hash?: string; when?: Date; finals?: Record<string, Record<string, number>>; steps?: number } = {}): RunDir {
  const recipe = opts.recipe ?? "quickstart";
  const hash = opts.hash ?? "0123456789abcdef";
  const when = opts.when ?? new Date(Date.UTC(2026, 10, 25, 13, 5, 9));
  const run = RunDir.create(runsDir, recipe, hash, when);
  const steps = opts.steps ?? 30;
  run.writePlan({ version: 1, nodes: [{ id: "sft", kind: "stage.sft" }] });
  for (let s = 1; s <= steps; s++) {
    run.appendMetric({ stage: "sft", step: s, time: s * 0.1, loss: 3 / s, lr: 1e-3, tokens_per_s: 3000 });
    run.appendMetric({ stage: "policy", step: s, time: s * 0.1, loss: 1 / s, reward: Math.log(s), kl: s / 10 });
  }
  run.appendMetric({ stage: "rm", step: 1, time: 0.1, loss: 0.69, batch_accuracy: 0.5 });
  run.appendMetric({ stage: "rm", step: 2, time: 0.2, loss: 0.5, batch_accuracy: 0.75 });
  run.appendSample({ eval: "judge", judge: "rm", prompt: "Uppercase <b>cat</b>", a: { model: "policy", text: "CAT", score: 1.2 }, b: { model: "sft", text: "Sure! Here is CAT", score: 0.3 }, winner: "a" });
  const finals = opts.finals ?? { sft: { loss: 0.1 }, judge: { win_rate: 0.6, ci_low: 0.55, ci_high: 0.65 } };
  const nodes: NodeRecord[] = Object.entries(finals).map(([label, summary]) => ({
    id: label,
    kind: label === "judge" ? "eval.win_rate" : "stage.sft",
    label,
    hash: `sha256:${label}aaaaaaaaaaaa`,
    status: "computed",
    seconds: 1,
    summary,
  }));
  const m: Manifest = {
    alignc: "0.1.0",
    runId: run.id,
    recipe: { name: recipe, file: `/x/${recipe}.align` },
    planHash: hash,
    variant: null,
    created: when.toISOString(),
    finished: new Date(when.getTime() + 65_000).toISOString(),
    status: "ok",
    exitCode: 0,
    backend: "wasm",
    seed: 17,
    tiny: false,
    options: { force: [], until: null },
    host: hostInfo(),
    cache: { root: "/x/.cache", hits: 1, misses: 2 },
    nodes,
    expectations: [{ text: "judge.win_rate >= 0.5", ok: true, left: 0.6, right: 0.5, message: "ok" }],
    error: null,
  };
  run.writeManifest(m);
  return run;
}
