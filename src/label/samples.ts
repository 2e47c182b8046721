// Drawing a `samples(stage)` source for `alignc label`: plan the source and what it depends on (not
// the rankings source its labels go to, whose file may not exist yet), run that plan against the
// stage cache — the stage trains only when it is not cached, the draw happens only once — and hand
// back the candidates file in the node's cache entry.
import { join } from "node:path";
import type { DrawRecord } from "../data/build-samples.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { heldRecord } from "../run/storage/entry-file.js";
import { defaultCacheRoot, StageCache } from "../run/storage/cache.js";
import { compileForRun } from "../run/compile-run.js";
import { isInterruptedCode, type Interrupt } from "../run/storage/interrupt.js";
import { CANDIDATES_FILE } from "../run/nodes/samples.js";
import type { Progress } from "../run/presentation/progress.js";
import { runCompiled } from "../run/run-recipe.js";
import { interruptedHint } from "../run/presentation/interrupted-hint.js";

export interface DrawOptions {
  runsDir?: string;
  cacheRoot?: string;
  backend?: string;
  progress?: Progress;
  interrupt?: Interrupt | { readonly requested: boolean };
}

export type Drawn =
  | { ok: true; file: string; record: DrawRecord | undefined; nodeHash: string; stageHash: string; computed: string[]; runDir: string }
  | { ok: false; diagnostics: Diagnostic[]; sources: Map<string, string>; message: string | null; exitCode: number };

export async function drawSamples(recipeFile: string, source: string, o: DrawOptions = {}): Promise<Drawn> {
  const input = await compileForRun(recipeFile, { only: source, ...(o.backend ? { backend: o.backend } : {}) });
  const r = await runCompiled(recipeFile, input, { until: source, runsDir: o.runsDir, cacheRoot: o.cacheRoot, progress: o.progress, interrupt: o.interrupt, backend: o.backend });
  if (!r.ok) return { ok: false, diagnostics: r.diagnostics, sources: r.sources, message: r.message, exitCode: 1 };
  const { outcome } = r;
  if (outcome.exitCode !== 0) {
    const e = outcome.error as (Error & { diagnostics?: Diagnostic[] }) | null;
    const stopped = isInterruptedCode(outcome.exitCode);
    // true to what the draw's run left: a checkpoint to resume from, or nothing computed (the run's hint)
    const why = stopped ? interruptedHint(outcome.manifest, "alignc label").trimEnd() : (e?.message ?? `the run ended with exit ${outcome.exitCode}`);
    return { ok: false, diagnostics: e?.diagnostics ?? [], sources: r.sources, message: `drawing \`${source}\`: ${why} (run: ${outcome.runDir})`, exitCode: stopped ? outcome.exitCode : 1 };
  }
  const node = input.plan!.nodes.find((n) => n.id === source)!;
  const entry = new StageCache(o.cacheRoot ?? defaultCacheRoot(o.runsDir)).get(node.hash);
  if (!entry) return { ok: false, diagnostics: [], sources: r.sources, message: `drawing \`${source}\`: its cache entry ${node.hash.slice(0, 8)} is missing after the run (removed meanwhile?); run again`, exitCode: 1 };
  const stage = outcome.manifest.nodes.find((n) => n.id === node.inputs.find((i) => input.plan!.nodes.find((x) => x.id === i)?.kind === "stage"));
  return {
    ok: true,
    file: join(entry.dir, CANDIDATES_FILE),
    // what the file must hold when it is read for labeling (src/label/candidates.ts)
    record: heldRecord(entry.dir, CANDIDATES_FILE, entry.meta.files[CANDIDATES_FILE]),
    nodeHash: node.hash,
    stageHash: stage?.hash ?? "",
    // the cached kinds only (stages, the draw): in-memory data nodes are rebuilt on every run
    computed: outcome.manifest.nodes.filter((n) => (n.status === "computed" || n.status === "resumed") && (n.kind.startsWith("stage.") || n.kind === "data.samples")).map((n) => n.id),
    runDir: outcome.runDir,
  };
}
