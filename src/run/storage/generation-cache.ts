// The content-addressed cache of greedy generations, beside the stage cache: the token ids a model
// answered a list of prompts with, greedily, stored under a key that covers everything the answer
// depends on. Every eval that generates (the RM and rule judges, accuracy, PPO's greedy probe before
// training) asks it first, in the same run and across runs: when only PPO changes, the SFT model's
// answers to the judges' prompts are read back instead of generated again (twice: once per judge).
//
// Key: sha256 over [the model (its node hash and the sha256 of its weights file), the exact prompt
// token ids in order, every decode setting (max new tokens, temperature, top-k/p, EOS, pad, batch
// size: rows are generated in batches, so the batching is part of what is computed), the plan's
// engine (alignc version, ENGINE_EPOCH) and the backend that would generate, with its TensorFlow.js
// release (src/common/tfjs-version.ts: `wasm, tfjs 4.22.0`)]. Only greedy decoding
// (temperature 0) is cached: it draws nothing, so no random stream belongs in the key.
//
// Layout:   <root>/.generations/<key>.json   a header line, then the answers as one JSON line
//           <root>/.locks/gen-<key>.lock     while one process generates it (lock.ts)
// The header records the payload's size and sha256: an entry that does not match (a torn copy, a
// disk error, an edit) is reported, removed and generated again, never trusted. Entries are written
// whole to a temp file and renamed into place (common/atomic-write.ts), so a kill -9 mid-write
// leaves at most a temp file that never reads as an entry (swept when its writer is gone).
import { createHash } from "node:crypto";
import { closeSync, lstatSync, openSync, readSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../common/atomic-write.js";
import { readRegularFile } from "../../lang/read-file.js";
import { acquireLock, removeDeadWriters } from "./lock.js";
import { WRITER_TAG_RE } from "../../common/writer-tag.js";

/** Bumped when the entry format changes (old entries then miss). */
const FORMAT = 1;
const DIR = ".generations";
/** An entry is one token-id list per prompt: far below this; a larger file is not read (generated again). */
const MAX_ENTRY_BYTES = 1 << 30;

/** What greedy answers depend on, apart from the prompts. */
export interface GreedyDecode {
  maxNewTokens: number;
  temperature: 0;
  topK: number;
  topP: number;
  eos: number | undefined;
  pad: number;
  batchSize: number;
}

export interface GenerationKey {
  /** the model: the plan node whose weights these are, and the weights file's sha256 (null: initial weights built in memory) */
  model: { node: string; weights: string | null };
  prompts: readonly (readonly number[])[];
  decode: GreedyDecode;
  engine: { alignc: string; epoch: number };
  backend: string; // the backend's label with its release (backendLabel)
}

interface Header {
  format: number;
  key: string;
  /** the node hash of the model that answered: what `alignc cache prune` keeps it for (absent in entries an earlier alignc wrote) */
  model?: string;
  rows: number;
  bytes: number;
  sha256: string;
}

const sha256 = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

/** The entry name of a key: sha256 of its canonical JSON (fixed field order). */
export function generationKey(k: GenerationKey): string {
  const d = k.decode;
  return sha256(
    JSON.stringify([
      FORMAT,
      [k.model.node, k.model.weights],
      [d.maxNewTokens, d.temperature, d.topK, d.topP, d.eos ?? null, d.pad, d.batchSize],
      [k.engine.alignc, k.engine.epoch],
      k.backend,
      k.prompts,
    ]),
  );
}

const isIds = (x: unknown): x is number[] => Array.isArray(x) && x.every((t) => Number.isInteger(t));

export class GenerationCache {
  readonly dir: string;
  private readonly locks: string;

  /** `root`: the stage cache's root (its entries and this cache's live side by side). */
  constructor(root: string, private readonly warn: (line: string) => void = () => {}) {
    this.dir = join(root, DIR);
    this.locks = join(root, ".locks");
  }

  /** The lock a writer of `key`'s answers holds (`alignc cache prune` takes it too). */
  lockPath(key: string): string {
    return join(this.locks, `gen-${key}.lock`);
  }

  private file(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** The stored answers of `key` (one list of token ids per prompt), or null: absent, or failing its checks (then removed, with a warning). */
  get(key: string, rows: number): number[][] | null {
    const path = this.file(key);
    let raw: Buffer;
    try {
      // a regular file only: a FIFO put in its place would hang the run on the read
      raw = readRegularFile(path, MAX_ENTRY_BYTES, "generation cache entry");
    } catch {
      return null;
    }
    const problem = checkEntry(raw, key, rows);
    if (typeof problem !== "string") return problem;
    this.warn(`generation cache: entry ${key.slice(0, 12)} ${problem}; removed, generating again`);
    rmSync(path, { force: true });
    return null;
  }

  put(key: string, outputs: readonly (readonly number[])[], model?: string): void {
    const payload = JSON.stringify(outputs);
    const header: Header = { format: FORMAT, key, ...(model !== undefined ? { model } : {}), rows: outputs.length, bytes: Buffer.byteLength(payload), sha256: sha256(payload) };
    writeFileAtomicSync(this.file(key), `${JSON.stringify(header)}\n${payload}\n`);
  }

  /**
   * The answers for `key`: read back when stored and sound, else computed by `generate` (under a
   * lock on the key, so two runs do not generate the same answers at once) and stored.
   */
  async getOrGenerate(key: string, rows: number, generate: () => number[][] | Promise<number[][]>, model?: string): Promise<{ outputs: number[][]; cached: boolean }> {
    const hit = this.get(key, rows);
    if (hit) return { outputs: hit, cached: true };
    const lock = await acquireLock(this.lockPath(key), { purpose: "alignc run: greedy generation" });
    try {
      const meanwhile = this.get(key, rows); // another run may have stored it while we waited
      if (meanwhile) return { outputs: meanwhile, cached: true };
      const outputs = await generate();
      if (outputs.length !== rows) throw new Error(`generation cache: ${outputs.length} answers for ${rows} prompts`);
      this.put(key, outputs, model);
      return { outputs, cached: false };
    } finally {
      lock.release();
    }
  }

  /** Remove temp files whose writer is gone (left by a kill -9 mid-write); returns how many. */
  sweep(): number {
    // atomic-write's temp names: `.<key>.json.tmp-<writer>-<random>`
    return removeDeadWriters(this.dir, (name) => new RegExp(`\\.tmp-(${WRITER_TAG_RE})-[0-9a-f]+$`).exec(name)?.[1] ?? null);
  }
}

/** The generations folder under a cache root, and an entry's file name. */
export const GENERATIONS_DIR = DIR;
export const GENERATION_FILE = /^([0-9a-f]{64})\.json$/;

/** The node hash of the model whose answers the entry at `path` holds, read from its header line; null when
 * the header names none (an entry written before it did) or cannot be read. */
export function generationModel(path: string): string | null {
  let head: Buffer;
  try {
    head = readHead(path, HEADER_MAX_BYTES);
  } catch {
    return null;
  }
  const nl = head.indexOf(10);
  try {
    const h = JSON.parse(head.subarray(0, nl < 0 ? head.length : nl).toString("utf8")) as Partial<Header> | null;
    return typeof h?.model === "string" && /^[0-9a-f]{64}$/.test(h.model) ? h.model : null;
  } catch {
    return null;
  }
}

/** A header line is a few hundred bytes: an entry's answers (up to MAX_ENTRY_BYTES) are not read for it. */
const HEADER_MAX_BYTES = 4096;

/** The first `max` bytes of a regular file (a FIFO or a folder at the path is refused, as an entry's read refuses it). */
function readHead(path: string, max: number): Buffer {
  if (!lstatSync(path).isFile()) throw new Error(`${path}: not a regular file`);
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(max);
    return buf.subarray(0, readSync(fd, buf, 0, max, 0));
  } finally {
    closeSync(fd);
  }
}

/** The answers an entry's bytes hold, or what is wrong with them. */
function checkEntry(raw: Buffer, key: string, rows: number): number[][] | string {
  const nl = raw.indexOf(10);
  if (nl < 0) return "has no header line";
  let header: Header;
  try {
    header = JSON.parse(raw.subarray(0, nl).toString("utf8")) as Header;
  } catch {
    return "has an unreadable header";
  }
  if (header.format !== FORMAT) return `has format ${String(header.format)}, not ${FORMAT}`;
  if (header.key !== key) return "names another key";
  const payload = raw.subarray(nl + 1, raw.length > nl + 1 && raw[raw.length - 1] === 10 ? raw.length - 1 : raw.length);
  if (payload.length !== header.bytes) return `holds ${payload.length} bytes of answers, not the ${header.bytes} recorded (torn or truncated)`;
  if (sha256(payload) !== header.sha256) return "fails its sha256 check";
  let outputs: unknown;
  try {
    outputs = JSON.parse(payload.toString("utf8"));
  } catch {
    return "holds unreadable answers";
  }
  if (!Array.isArray(outputs) || outputs.length !== rows || header.rows !== rows || !outputs.every(isIds)) return `does not hold ${rows} lists of token ids`;
  return outputs as number[][];
}
