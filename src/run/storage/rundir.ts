// The run directory `runs/<recipe>-<YYYYmmdd-HHMMSS>-<hash8>/`: what one `alignc run` did.
//   plan.json       the plan that ran (PLAN's JSON form)
//   manifest.json   alignc version, backend, seed, host, per-node status/timings/cache hits,
//                   expectations, checkpoint references into the cache; rewritten atomically
//   metrics.jsonl   one JSON object per logged step, appended
//   samples.jsonl   generated samples (SFT vs PPO on the same prompts), appended
//   report.html     written at the end (and by `alignc report`)
// The folder is created only once every check has passed, so bad input leaves nothing behind.
import { createHash } from "node:crypto";
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { hostname, cpus, platform, arch, totalmem } from "node:os";
import { basename, join, resolve } from "node:path";
import { writeFileAtomicSync, writeJsonAtomicSync } from "../../common/atomic-write.js";
import type { SkippedRows } from "../../data/types.js";
import type { LeakPair } from "../../data/leak-cache.js";
import { makeDirs } from "../../common/make-dirs.js";
import { InputFileError, READ_LIMITS, readRegularText } from "../../lang/read-file.js";
import { lexists } from "../../common/fs-probe.js";

/** The first `n` bytes of a regular file, as text. */
function fileHead(path: string, n: number): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** How every report.html alignc writes begins (src/run/presentation/report.ts). */
export const REPORT_HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>alignc run ';

/** The last line of a report alignc writes: the sha256 of everything before it. A report whose text
 * still hashes to it is alignc's to replace; one edited since (a note appended, say) is the user's. */
const reportSeal = (html: string): string => `<!-- alignc report sha256 ${createHash("sha256").update(html).digest("hex")} -->\n`;
const SEAL_RE = /<!-- alignc report sha256 [0-9a-f]{64} -->\n$/;

/** Whether report.html at `p` is one alignc wrote and nobody changed: sealed and the seal holds, or
 * (written before reports were sealed, 6 Dec 2026) unsealed with alignc's head and end. */
function ownReport(p: string): boolean {
  if (fileHead(p, REPORT_HEAD.length) !== REPORT_HEAD) return false;
  const text = readRegularText(p, READ_LIMITS.wholeData, "report");
  const seal = SEAL_RE.exec(text);
  if (!seal) return text.endsWith("</body></html>\n") && !text.includes("<!-- alignc report sha256");
  const body = text.slice(0, seal.index);
  return reportSeal(body) === seal[0];
}
import { JsonlAppender, metricRowCheck, readJsonl, sampleRowCheck } from "./jsonl-log.js";

export { JsonlError, readJsonl } from "./jsonl-log.js";

export type NodeStatus = "computed" | "cached" | "resumed" | "skipped" | "blocked" | "failed" | "interrupted" | "pending";

export interface NodeRecord {
  id: string; // plan node id
  kind: string;
  label: string;
  hash: string;
  status: NodeStatus;
  seconds: number; // wall time in this run (≈0 for cache hits)
  savedSeconds?: number; // for cache hits: the compute time recorded when the entry was made
  computedOn?: string; // the backend that computed its cache entry (a hit: the run that made it); absent for older entries
  /** a hit whose rows were logged at another log_every than this plan's (not hashed): the computing run's */
  loggedEvery?: number;
  resumedFromStep?: number;
  /** interrupted: the step of the checkpoint this run saved, which the next run resumes from (absent: none) */
  checkpointStep?: number;
  /** interrupted while waiting for another run's lock on this node: that run's pid (this run computed none of it) */
  waitedForPid?: number | null;
  entry?: string; // cache entry folder holding the node's output (checkpoints live here)
  summary?: Record<string, number>; // final metrics of the node
  reason?: string; // why skipped / blocked / failed
  peakRssBytes?: number; // the process's peak resident set when the node ended (monotonic over the run)
  /** rows its data's sources left out under on_error = "skip": per source, the count and the first
   * few reasons (`line N: …` of the source's file, each clipped to ~200 characters: src/data/bad-rows.ts) */
  skippedRows?: SkippedRows[];
  /** sets of greedy answers this node read from the generation cache and generated (src/run/storage/generation-cache.ts); absent when it generated none */
  generations?: { cached: number; generated: number };
}

export interface ExpectationRecord {
  text: string;
  ok: boolean;
  left: number | null;
  right: number | null;
  message: string;
}

/** What the contamination check (src/data/leaks.ts) found in the recipe a run ran. */
export interface Contamination {
  /** Σ count over `pairs`: evaluated texts found in training pools, counted per pool */
  leaks: number;
  /** per (evaluated block, training pool): `evalBlock` an eval, or a stage whose own held-out split it is */
  pairs: LeakPair[];
  /** the blocks whose evaluated pools were compared: evals, and the stages whose own held-out split
   * a figure scores (pretrain, SFT, reward model) where they held data out; absent in manifests of
   * earlier builds, whose reports then call nothing held out */
  checked: string[];
  /** evals scoring the training split on purpose (`split = train`, `train(x)`): not held out, not checked */
  notChecked: string[];
  /** evaluated texts a BPE tokenizer's corpus holds (its merges were fit on them; no model trains on it), per
   * (evaluated block, tokenizer); absent in manifests of earlier builds */
  tokenizerCorpora?: LeakPair[];
}

export interface Manifest {
  alignc: string;
  runId: string;
  recipe: { name: string; file: string };
  planHash: string;
  variant: string | null;
  created: string;
  finished: string | null;
  status: "running" | "ok" | "failed" | "interrupted" | "expectations_failed";
  /** interrupted before any node started: while the data the run needs was prepared (absent otherwise) */
  interrupted?: "data preparation";
  /** the process that runs it, so `alignc runs` can tell a killed run (kill -9, power cut) from a live one */
  pid?: number;
  /** when that process started (fs-probe processStart), so a later process given the same pid is not it */
  pidStart?: string;
  exitCode: number | null;
  backend: string;
  seed: number;
  tiny: boolean;
  /** --workers: threads a training stage's parallel_shares may be spread over on wasm/cpu (each node's summary says how many it used; speed only, no figure depends on it);
   * absent in manifests written before it was recorded */
  workers?: number;
  options: { force: string[]; until: string | null };
  host: { hostname: string; platform: string; arch: string; cpus: number; cpuModel: string; memoryBytes: number; node: string };
  cache: { root: string; hits: number; misses: number; generations?: { cached: number; generated: number } };
  /** the process's peak resident set so far (process.resourceUsage().maxRSS, worker threads included), in bytes;
   * absent in manifests written before it was recorded */
  peakRssBytes?: number;
  /** the contamination check of the recipe run; absent when not checked (manifests written before it
   * was recorded, `alignc label`'s draws) */
  contamination?: Contamination;
  nodes: NodeRecord[];
  expectations: ExpectationRecord[];
  error: string | null;
}

/** The process's peak resident set size so far, in bytes (Linux and macOS report it in KiB). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export function hostInfo(): Manifest["host"] {
  const c = cpus();
  return { hostname: hostname(), platform: platform(), arch: arch(), cpus: c.length, cpuModel: c[0]?.model ?? "", memoryBytes: totalmem(), node: process.version };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `<recipe>-<YYYYmmdd-HHMMSS>-<hash8>` in UTC, so ids sort by time whatever the machine's zone. */
export function runId(recipe: string, planHash: string, when: Date = new Date()): string {
  const stamp = `${when.getUTCFullYear()}${pad(when.getUTCMonth() + 1)}${pad(when.getUTCDate())}-${pad(when.getUTCHours())}${pad(when.getUTCMinutes())}${pad(when.getUTCSeconds())}`;
  const safe = recipe.replace(/[^A-Za-z0-9_.-]/g, "_") || "recipe";
  return `${safe}-${stamp}-${planHash.replace(/^sha256:/, "").slice(0, 8)}`;
}

/** A run folder's manifest.json (or plan.json) that alignc cannot read as a run's: the user's input, not a bug. */
export class ManifestError extends Error {}

/** A manifest the report can render: the fields it reads hold their types. A hand-edited or damaged
 * manifest reached the report as a TypeError ("s.replace is not a function", exit 1 without a file);
 * readManifest checks less, so that `alignc diff` still compares older, smaller manifests. */
export function reportableManifest(m: Manifest, file: string): Manifest {
  const bad = (why: string) => new ManifestError(`${file} is not an alignc run manifest the report can read (${why})`);
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);
  const i = m.nodes.findIndex((n) => typeof n.id !== "string" || typeof n.kind !== "string" || typeof n.label !== "string" || typeof n.status !== "string");
  if (i >= 0) throw bad(`nodes[${i}] has no id, kind, label and status`);
  const j = m.expectations.findIndex((e) => typeof e.text !== "string" || typeof e.ok !== "boolean");
  if (j >= 0) throw bad(`expectations[${j}] has no text and ok`);
  const k = m.expectations.findIndex((e) => typeof e.message !== "string");
  if (k >= 0) throw bad(`expectations[${k}] has no message`);
  for (const key of ["host", "cache"] as const) if (!isObj(m[key])) throw bad(`no ${key} object`);
  for (const key of ["hostname", "cpuModel", "node"] as const) if (typeof m.host[key] !== "string") throw bad(`\`host.${key}\` is not a string`);
  for (const key of ["alignc", "created", "status", "backend"] as const) if (typeof m[key] !== "string") throw bad(`\`${key}\` is not a string`);
  if (m.finished !== null && typeof m.finished !== "string") throw bad("`finished` is neither a time nor null");
  if (m.error !== null && m.error !== undefined && typeof m.error !== "string") throw bad("`error` is neither a message nor null");
  // what the report reads besides (huntH42 F5: these reached it as TypeErrors, "alignc report: number 1 is
  // not iterable", naming neither the file nor the field)
  const h = m.nodes.findIndex((n) => typeof n.hash !== "string" || (n.computedOn !== undefined && typeof n.computedOn !== "string"));
  if (h >= 0) throw bad(`nodes[${h}] has no hash string, or a \`computedOn\` that is not a string`);
  const c = m.contamination as unknown;
  if (c !== undefined) {
    if (!isObj(c)) throw bad("`contamination` is not an object");
    const strings = (x: unknown) => x === undefined || (Array.isArray(x) && x.every((s) => typeof s === "string"));
    const pairs = (x: unknown) => Array.isArray(x) && x.every((p) => isObj(p) && typeof p.evalBlock === "string" && typeof p.trainPool === "string" && typeof p.count === "number");
    if (!pairs(c.pairs)) throw bad("`contamination.pairs` is not a list of { evalBlock, trainPool, count }");
    if (c.tokenizerCorpora !== undefined && !pairs(c.tokenizerCorpora)) throw bad("`contamination.tokenizerCorpora` is not a list of { evalBlock, trainPool, count }");
    for (const key of ["checked", "notChecked"] as const) if (!strings(c[key])) throw bad(`\`contamination.${key}\` is not a list of names`);
  }
  return m;
}

export class RunDir {
  private readonly log = new JsonlAppender();

  private constructor(readonly path: string) {}

  get id(): string {
    return basename(this.path);
  }

  /** Create a fresh run folder under runsDir (a `-2`, `-3` suffix if two runs start in one second). */
  static create(runsDir: string, recipe: string, planHash: string, when: Date = new Date()): RunDir {
    makeDirs(runsDir);
    const base = join(resolve(runsDir), runId(recipe, planHash, when));
    for (let i = 1; ; i++) {
      const p = i === 1 ? base : `${base}-${i}`;
      try {
        mkdirSync(p); // not recursive: fails when it exists, so two runs never share a folder
        return new RunDir(p);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
  }

  static open(path: string): RunDir {
    const p = resolve(path);
    if (!existsSync(join(p, "manifest.json"))) throw new ManifestError(`${path}: not a run directory (no manifest.json)`);
    return new RunDir(p);
  }

  file(name: string): string {
    return join(this.path, name);
  }

  writePlan(plan: unknown): void {
    writeJsonAtomicSync(this.file("plan.json"), plan);
  }

  writeManifest(m: Manifest): void {
    writeJsonAtomicSync(this.file("manifest.json"), m);
  }

  /** The run's manifest; an Error naming the file when it is not one (a folder can hold some other
   * tool's manifest.json: `alignc report` must not take it for a run and write into that folder). */
  /** The run's manifest; a ManifestError when the file is not JSON or not an alignc run's (another tool's manifest.json). */
  readManifest(): Manifest {
    const p = this.file("manifest.json");
    let m: Partial<Manifest> | null;
    try {
      // readRegularText: a FIFO named manifest.json was read forever (report and runs hung)
      m = JSON.parse(readRegularText(p, READ_LIMITS.wholeData, "run manifest")) as Partial<Manifest> | null;
    } catch (err) {
      throw new ManifestError(`${p} is not an alignc run manifest (${(err as Error).message})`);
    }
    const ok = m !== null && typeof m === "object" && typeof m.runId === "string" && typeof m.recipe?.name === "string" && Array.isArray(m.nodes) && Array.isArray(m.expectations);
    if (!ok) throw new ManifestError(`${p} is not an alignc run manifest (no runId, recipe, nodes and expectations)`);
    // an entry that is not an object reached the report and diff as a TypeError ("Cannot read
    // properties of null"); the fields the report reads are checked by reportableManifest
    const isObj = (x: unknown) => x !== null && typeof x === "object" && !Array.isArray(x);
    const badNode = (m as Partial<Manifest>).nodes!.findIndex((n) => !isObj(n));
    if (badNode >= 0) throw new ManifestError(`${p} is not an alignc run manifest (nodes[${badNode}] is not an object)`);
    const badExp = (m as Partial<Manifest>).expectations!.findIndex((e) => !isObj(e));
    if (badExp >= 0) throw new ManifestError(`${p} is not an alignc run manifest (expectations[${badExp}] is not an object)`);
    return m as Manifest;
  }

  readPlan(): unknown {
    const p = this.file("plan.json");
    if (!existsSync(p)) return null;
    // a FIFO here hung `alignc report`; a damaged file's JSON error did not name it
    try {
      return JSON.parse(readRegularText(p, READ_LIMITS.wholeData, "run plan")) as unknown;
    } catch (err) {
      if (err instanceof InputFileError) throw err;
      throw new ManifestError(`${p} is not valid JSON (${(err as Error).message})`); // a run file that does not read: exit 1, not 70
    }
  }

  /** One line per call, after cutting a torn tail (jsonl-log.ts), so a kill tears at most the line being written. */
  appendMetric(row: MetricRow): void {
    this.log.append(this.file("metrics.jsonl"), row);
  }

  appendSample(row: SampleRow): void {
    this.log.append(this.file("samples.jsonl"), row);
  }

  /** A JsonlError (file:line:col) for a line that is neither a row nor the torn last one. */
  readMetrics(): MetricRow[] {
    return readJsonl<MetricRow>(this.file("metrics.jsonl"), metricRowCheck);
  }

  readSamples(): SampleRow[] {
    return readJsonl<SampleRow>(this.file("samples.jsonl"), sampleRowCheck);
  }

  /** Write report.html; what is at that path must be a report alignc wrote (a file, link, FIFO or
   * folder put there by someone else is refused and left as it is: `alignc report` replaced them). */
  writeReport(html: string): string {
    const p = this.file("report.html");
    if (lexists(p)) {
      const st = lstatSync(p);
      const what = st.isSymbolicLink() ? "a symbolic link" : st.isDirectory() ? "a folder" : st.isFile() ? null : "a special file";
      if (what !== null || !ownReport(p))
        throw new InputFileError(`${p} is ${what ?? "a file alignc did not write (or one changed since)"}, not a report of this run: left as it is (move it away and run \`alignc report\` again)`, p);
    }
    writeFileAtomicSync(p, html + reportSeal(html));
    return p;
  }
}

/** One logged step: `stage` is the block name; the rest are numbers (loss, lr, reward, kl, accuracy, tokens_per_s …). */
export interface MetricRow {
  stage: string;
  step: number;
  time: number; // seconds since the node started
  [metric: string]: number | string;
}

/** One generated sample. For win-rate evals: the same prompt answered by a and b, with the judge's scores. */
export interface SampleRow {
  eval: string; // eval (or stage) block name
  prompt: string;
  system?: string; // the system text the prompt was asked with, when any
  a?: { model: string; text: string; score?: number };
  b?: { model: string; text: string; score?: number };
  winner?: "a" | "b" | "tie";
  judge?: string;
  [extra: string]: unknown;
}
