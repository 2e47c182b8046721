// `alignc runs`: the run directories under runs/, newest last, with their outcome.
import { existsSync, readdirSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { RunDir, reportableManifest, type Manifest } from "../storage/rundir.js";
import { processAlive } from "../../common/fs-probe.js";
import { byCodeUnits } from "../../common/code-order.js";

export interface RunSummary {
  id: string;
  path: string;
  recipe: string;
  /** "dead": the manifest says running but its process is gone (killed without a chance to record it) */
  status: Manifest["status"] | "unreadable" | "dead";
  created: string;
  seconds: number | null;
  backend: string;
  tiny: boolean;
  cacheHits: number;
  computed: number;
  expectations: { passed: number; total: number };
  /** why an `unreadable` run's manifest could not be read (a listing said "unreadable" alone: huntD39 L4) */
  reason?: string;
}

/** Is the process recorded as running this run gone? Only decidable on the host that ran it, and
 * only for manifests that record a pid (older ones stay "running"). */
export function ownerGone(m: Pick<Manifest, "pid" | "pidStart" | "host">): boolean {
  if (m.pid === undefined || m.host.hostname !== hostname()) return false;
  return !processAlive(m.pid, m.pidStart);
}

export function listRuns(runsDir = "runs"): RunSummary[] {
  const root = resolve(runsDir);
  if (!existsSync(root)) return [];
  const out: RunSummary[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith(".") || !existsSync(join(root, name, "manifest.json"))) continue;
    try {
      // the fields listed hold their types, else the run is `unreadable` (a `backend: null` was exit 70)
      const m = reportableManifest(RunDir.open(join(root, name)).readManifest(), join(root, name, "manifest.json"));
      out.push({
        id: name,
        path: join(root, name),
        recipe: m.recipe.name,
        status: m.status === "running" && ownerGone(m) ? "dead" : m.status,
        created: m.created,
        seconds: m.finished ? (Date.parse(m.finished) - Date.parse(m.created)) / 1000 : null,
        backend: m.backend,
        tiny: m.tiny,
        cacheHits: m.cache.hits,
        computed: m.cache.misses,
        expectations: { passed: m.expectations.filter((e) => e.ok).length, total: m.expectations.length },
      });
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
      out.push({ id: name, path: join(root, name), recipe: "?", status: "unreadable", created: "", seconds: null, backend: "", tiny: false, cacheHits: 0, computed: 0, expectations: { passed: 0, total: 0 }, reason });
    }
  }
  return out.sort((a, b) => byCodeUnits(a.created, b.created) || byCodeUnits(a.id, b.id));
}

/** A run reference that names no run, or more than one: a usage error (exit 2), as a missing input file is. */
export class RunRefError extends Error {}

/** A run named by path, by id under runsDir, or by a unique id prefix. */
export function findRun(ref: string, runsDir = "runs"): string {
  if (existsSync(join(ref, "manifest.json"))) return resolve(ref);
  // a run folder whose run was killed before it recorded itself: said as that, not "no run" (huntH42 L2)
  if (existsSync(join(ref, "plan.json"))) throw new RunRefError(`${ref} holds a plan.json but no manifest.json (a run killed before it wrote one, or not a run): nothing to report; \`alignc diff\` compares its plan, and running the recipe again reuses what it cached`);
  const runs = listRuns(runsDir);
  const exact = runs.find((r) => r.id === ref);
  if (exact) return exact.path;
  const matches = runs.filter((r) => r.id.startsWith(ref));
  if (matches.length === 1) return matches[0]!.path;
  if (matches.length > 1) throw new RunRefError(`run "${ref}" is ambiguous: ${matches.map((m) => m.id).join(", ")}`);
  throw new RunRefError(`no run "${ref}" (not a run directory, and no run under ${resolve(runsDir)} starts with it)`);
}
