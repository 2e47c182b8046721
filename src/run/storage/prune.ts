// `alignc cache prune`: remove the stage cache's entries no run folder names, the way a garbage
// collector keeps what its roots reach. The roots are the run folders under the runs folders the user
// names (runs/ by default) and under every runs folder that recorded itself as the cache's user
// (cache-users.ts: each run does): every node hash of each run's plan.json (so an interrupted run's
// unfinished nodes, and the nodes a running run has yet to reach, are kept) and every entry its manifest
// records; and the hashes a run still deciding its hits has marked (cache-users.ts), before its run
// folder exists, read again just before each removal.
//
// Only what alignc wrote is ever removed: a folder at an entry's name whose entry.json alignc wrote for
// that name (damaged files or not), and a checkpoint folder `.partial/<hash>/` of a node no root
// names; and greedy answers (`.generations/<key>.json`) whose model's node no root names. Anything else in the cache folder (a user's file, a folder without alignc's entry.json, a
// symbolic link, a folder `--force` set aside as `<hash>.foreign-<time>`) is left and listed. An entry
// whose lock a live process holds (a run computing or replacing it) is skipped, never waited for. A run
// folder whose plan cannot be read stops the prune before anything is removed: what it needs is unknown.
import { existsSync, lstatSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { READ_LIMITS, readRegularText } from "../../lang/read-file.js";
import { activeHashes, cacheUsers, forgetCacheUser } from "./cache-users.js";
import { isPlainFile, isRealDir } from "../../common/fs-probe.js";
import { GenerationCache, GENERATION_FILE, GENERATIONS_DIR, generationModel } from "./generation-cache.js";
import { acquireLock, ForeignLockError, lockHeld, LockTimeoutError } from "./lock.js";
import { readEntryMeta, StageCache } from "./cache.js";
import type { KeptFiles } from "./remove-own.js";
import { RunDir, type Manifest } from "./rundir.js";

/** An entry or a checkpoint folder prune removed (or, dry, would remove). */
export interface Pruned {
  hash: string;
  /** entry.json's kind and label ("stage", "policy"), null for a checkpoint folder */
  kind: string | null;
  label: string | null;
  bytes: number;
  created: string | null;
}

export interface PruneReport {
  cacheRoot: string;
  /** the runs folders read (named, and recorded by their runs in the cache), and recorded ones that are gone (--forget-gone) */
  folders: string[];
  gone: string[];
  /** run folders read as roots, and how many distinct node hashes they name */
  runs: number;
  roots: number;
  removed: Pruned[];
  checkpoints: Pruned[];
  kept: { entries: number; bytes: number };
  /** entries no run names whose lock a live process holds (or whose lock path holds something that is no lock of alignc's): left */
  busy: string[];
  /** names in the cache folder that are not alignc's entries (left as they were) */
  strangers: string[];
  /** files a user had put inside an entry or checkpoint folder prune removed: kept, the folder renamed `….foreign-<time>` */
  keptFiles: KeptFiles[];
  /** `.generations`: greedy answers, each naming the node of the model that answered: removed (`key`s)
   * when no run names that node; kept, and left when they name none (written before they did) */
  generations: { removed: { key: string; model: string; bytes: number }[]; kept: { files: number; bytes: number }; unnamed: { files: number; bytes: number } };
}

/** A runs or run folder whose roots cannot be read: prune refuses (exit 1), naming it, before removing anything. */
export class PruneRootError extends Error {
  constructor(readonly runDir: string, why: string, fix = "move the folder out of the runs folder, or delete it, first") {
    super(`${runDir}: ${why}; what it needs from the cache is unknown, so nothing was removed (${fix})`);
    this.name = "PruneRootError";
  }
}

/** What is at `path`, links followed: "dir", "other", or null when nothing (a dangling link included). */
function kindAt(path: string): "dir" | "other" | null {
  try {
    return statSync(path).isDirectory() ? "dir" : "other";
  } catch {
    return null;
  }
}

/** Every node hash the run folders under `runsDirs` name: plan.json's nodes and the manifest's entries.
 * A run folder is one with alignc's manifest.json or a plan.json (a run killed between writing the two). */
function runRoots(runsDirs: readonly string[]): { runs: number; hashes: Set<string> } {
  const hashes = new Set<string>();
  let runs = 0;
  for (const dir of runsDirs.map((d) => resolve(d))) {
    if (kindAt(dir) !== "dir") throw new PruneRootError(dir, "this runs folder is not a folder");
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      throw new PruneRootError(dir, `this runs folder cannot be read (${(err as Error).message})`);
    }
    for (const name of names) {
      const path = join(dir, name);
      // links followed, as `alignc runs` lists them: `runs/best` linked to an archived run is a run
      if (name.startsWith(".") || kindAt(path) !== "dir") continue;
      let manifest: Manifest | null = null;
      try {
        manifest = existsSync(join(path, "manifest.json")) ? RunDir.open(path).readManifest() : null;
      } catch {
        // another tool's manifest.json, or one torn by a kill: the plan decides whether this is a run
      }
      if (!manifest && !existsSync(join(path, "plan.json"))) continue; // not a run folder (notes, a README's folder)
      runs++;
      let plan: unknown;
      try {
        plan = JSON.parse(readRegularText(join(path, "plan.json"), READ_LIMITS.wholeData, "run plan"));
      } catch (err) {
        throw new PruneRootError(path, `its plan.json cannot be read (${(err as Error).message})`);
      }
      const nodes = (plan as { nodes?: unknown } | null)?.nodes;
      if (!Array.isArray(nodes) || nodes.some((n) => typeof (n as { hash?: unknown } | null)?.hash !== "string"))
        throw new PruneRootError(path, "its plan.json holds no list of nodes with hashes");
      for (const n of nodes as { hash: string }[]) hashes.add(n.hash);
      for (const n of manifest?.nodes ?? []) if (typeof n.entry === "string") hashes.add(basename(n.entry));
    }
  }
  return { runs, hashes };
}

/** Bytes of the regular files under `path` (links not followed: a link's target is not the cache's; a file
 * removed meanwhile, by a concurrent prune or --force, counts 0). */
function treeBytes(path: string): number {
  try {
    const st = lstatSync(path);
    if (st.isFile()) return st.size;
    if (!st.isDirectory()) return 0;
    return readdirSync(path).reduce((sum, name) => sum + treeBytes(join(path, name)), 0);
  } catch {
    return 0;
  }
}

/** A checkpoint folder's contents as alignc writes them: `ckpt-<step>`, temps being written and ones being
 * removed, and a checkpoint kept for a user's file in it (`ckpt-<step>.foreign-<time>`: clearCheckpoints
 * leaves it and says so; it made the whole folder a stranger's, its later checkpoints never pruned). */
const CHECKPOINT_NAME = /^(?:ckpt-\d+|\.(?:tmp|rm)-ckpt-\d+-.+|ckpt-\d+\.foreign-.+)$/;
const KEPT_CHECKPOINT = /^ckpt-\d+\.foreign-.+$/;

const HASH_NAME = /^[0-9a-f]{64}$/;

/**
 * Remove (unless `dryRun`) every entry and checkpoint folder of `cacheRoot` that no run under `runsDirs`,
 * or under a runs folder recorded as the cache's user, names. A recorded runs folder that is no longer
 * there (deleted, renamed, or on a disk not mounted now) stops it, unless `forgetGone`: then its record
 * is dropped and what only its runs named goes.
 */
export async function pruneCache(cacheRoot: string, runsDirs: readonly string[], opts: { dryRun?: boolean; forgetGone?: boolean } = {}): Promise<PruneReport> {
  const cache = new StageCache(cacheRoot);
  const recorded = cacheUsers(cache.root);
  const gone = recorded.filter((d) => kindAt(d) === null && !runsDirs.some((n) => resolve(n) === d));
  if (gone.length && !opts.forgetGone)
    throw new PruneRootError(gone.join(", "), `${gone.length === 1 ? "a runs folder that used this cache is" : "runs folders that used this cache are"} not there`, "if it was deleted for good, run again with --forget-gone; if it moved, name its new place and pass --forget-gone");
  const folders = [...new Set([...runsDirs.map((d) => resolve(d)), ...recorded.filter((d) => !gone.includes(d))])].sort();
  const { runs, hashes } = runRoots(folders);
  // runs in progress whose run folder is not made yet (they decide which entries they reuse first)
  for (const h of activeHashes(cache.root, { clearDead: !opts.dryRun })) hashes.add(h);
  const report: PruneReport = { cacheRoot: cache.root, folders, gone, runs, roots: hashes.size, removed: [], checkpoints: [], kept: { entries: 0, bytes: 0 }, busy: [], strangers: [], keptFiles: [], generations: { removed: [], kept: { files: 0, bytes: 0 }, unnamed: { files: 0, bytes: 0 } } };
  if (!existsSync(cache.root)) return report;
  if (!opts.dryRun) {
    cache.sweep(); // temp folders of writers that are gone (kill -9)
    new GenerationCache(cache.root).sweep(); // and greedy answers' temp files
  }
  for (const name of readdirSync(cache.root).sort()) {
    const path = join(cache.root, name);
    if (name === ".tmp" || name === ".locks" || name === ".runs") continue; // alignc's own bookkeeping (sweep() clears the dead)
    if (name === ".partial") {
      await pruneCheckpoints(cache, hashes, report, opts.dryRun === true);
      continue;
    }
    if (name === GENERATIONS_DIR) {
      await pruneGenerations(cache, hashes, report, opts.dryRun === true);
      continue;
    }
    const meta = HASH_NAME.test(name) && isRealDir(path) ? readEntryMeta(path) : null;
    if (!meta || meta.hash !== name) {
      report.strangers.push(name);
      continue;
    }
    const bytes = treeBytes(path);
    if (hashes.has(name)) {
      report.kept.entries++;
      report.kept.bytes += bytes;
      continue;
    }
    const pruned: Pruned = { hash: name, kind: typeof meta.kind === "string" ? meta.kind : null, label: typeof meta.label === "string" ? meta.label : null, bytes, created: typeof meta.created === "string" ? meta.created : null };
    if (opts.dryRun) {
      // what the real prune would skip is listed as busy, not as removed (it listed every entry)
      if (wouldSkip(cache, nodeGuard(cache, name))) report.busy.push(name);
      else report.removed.push(pruned);
      continue;
    }
    if (await underLock(cache, nodeGuard(cache, name), () => keep(report, pruned, () => cache.remove(name)))) report.removed.push(pruned);
    else report.busy.push(name);
  }
  // last: a prune stopped before this point (an unreadable run folder) has dropped no record either
  if (!opts.dryRun) for (const d of gone) forgetCacheUser(cache.root, d);
  return report;
}

/** `.partial/<hash>/`: a node's checkpoints, kept while a run folder names the node (it resumes from them). */
async function pruneCheckpoints(cache: StageCache, hashes: Set<string>, report: PruneReport, dryRun: boolean): Promise<void> {
  const base = join(cache.root, ".partial");
  // `.partial` itself a link (to a user's folder): nothing under it is alignc's to remove
  if (!isRealDir(base)) {
    report.strangers.push(".partial");
    return;
  }
  for (const name of readdirSync(base).sort()) {
    const path = join(base, name);
    const inside = isRealDir(path) ? readdirSync(path) : null;
    // alignc's names only, and something of alignc's to remove (a folder left holding only kept ones is the user's now)
    if (!HASH_NAME.test(name) || inside === null || !inside.every((f) => CHECKPOINT_NAME.test(f)) || inside.every((f) => KEPT_CHECKPOINT.test(f))) {
      report.strangers.push(join(".partial", name));
      continue;
    }
    if (hashes.has(name)) continue;
    const pruned: Pruned = { hash: name, kind: null, label: null, bytes: treeBytes(path), created: null };
    if (dryRun) {
      if (wouldSkip(cache, nodeGuard(cache, name))) report.busy.push(join(".partial", name));
      else report.checkpoints.push(pruned);
    } else if (await underLock(cache, nodeGuard(cache, name), () => keep(report, pruned, () => cache.clearCheckpoints(name), path))) report.checkpoints.push(pruned);
    else report.busy.push(join(".partial", name));
  }
}

/** `.generations/<key>.json`: greedy answers, removed when no run names the node of the model that answered. */
async function pruneGenerations(cache: StageCache, hashes: Set<string>, report: PruneReport, dryRun: boolean): Promise<void> {
  const base = join(cache.root, GENERATIONS_DIR);
  const answers = new GenerationCache(cache.root);
  if (!isRealDir(base)) {
    report.strangers.push(GENERATIONS_DIR);
    return;
  }
  for (const name of readdirSync(base).sort()) {
    const key = GENERATION_FILE.exec(name)?.[1];
    const path = join(base, name);
    if (key === undefined || !isPlainFile(path)) continue; // temp files of a writer (swept), anything else left
    const model = generationModel(path);
    const bytes = treeBytes(path);
    const tally = model === null ? report.generations.unnamed : hashes.has(model) ? report.generations.kept : null;
    if (tally) {
      tally.files++;
      tally.bytes += bytes;
      continue;
    }
    // the answers' own lock (generation-cache.ts); a run that will read them has marked their model's node
    const guard = { lock: answers.lockPath(key), marked: model! };
    const gone = { key, model: model!, bytes };
    if (dryRun ? !wouldSkip(cache, guard) : await underLock(cache, guard, () => rmSync(path, { force: true }))) report.generations.removed.push(gone);
    else report.busy.push(join(GENERATIONS_DIR, name));
  }
}

/** Files a user had put inside an entry or a checkpoint folder prune removed: kept, and said. */
function keep(report: PruneReport, pruned: Pruned, remove: () => KeptFiles | KeptFiles[] | null, folder?: string): void {
  const kept = [remove()].flat().filter((k): k is KeptFiles => k !== null);
  report.keptFiles.push(...kept);
  // the bytes removed, not the user's files kept (reviewR40 L3): what is left where it was (a checkpoint
  // folder: every kept file is inside it), else in the folders it was moved to
  const left = folder !== undefined ? treeBytes(folder) : kept.reduce((sum, k) => sum + treeBytes(k.path), 0);
  pruned.bytes = Math.max(0, pruned.bytes - left);
}

/** What guards one removal: the lock its writer takes, and the node hash a starting run marks for it. */
interface Guard {
  lock: string;
  marked: string;
}

/** An entry's or a checkpoint folder's guard: the node's own lock and hash. */
const nodeGuard = (cache: StageCache, hash: string): Guard => ({ lock: cache.lockPath(hash), marked: hash });

/** What underLock would refuse, read without taking the lock (a dry run): a live owner, or a run's mark. */
function wouldSkip(cache: StageCache, g: Guard): boolean {
  return lockHeld(g.lock) || activeHashes(cache.root).has(g.marked);
}

/** Run `fn` holding the guard's lock, taken without waiting; false when a live process holds it, or a run
 * that started since the roots were read has marked it (read again here, just before). */
async function underLock(cache: StageCache, g: Guard, fn: () => void): Promise<boolean> {
  let lock;
  try {
    lock = await acquireLock(g.lock, { waitMs: 0, purpose: "alignc cache prune" });
  } catch (err) {
    // a live owner, or something at the lock's path that is no lock of alignc's (a folder, a link): left,
    // as the dry run says (it stopped the prune, exit 1, partway)
    if (err instanceof LockTimeoutError || err instanceof ForeignLockError) return false;
    throw err;
  }
  try {
    if (activeHashes(cache.root).has(g.marked)) return false;
    fn();
    return true;
  } finally {
    lock.release();
  }
}
