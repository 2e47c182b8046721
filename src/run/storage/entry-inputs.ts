// Which outputs a cache entry was computed from. A node's hash names its inputs' plan nodes, not their
// bytes, so an input computed again under the same hash with other bytes (`--force` on another backend:
// figures are bit-identical on one backend only) would leave every entry computed from its old output a
// hit. Each entry therefore records, per input entry it read, a digest of that input's output files;
// a hit whose recorded digest is not the input's current one is stale and computed again. A checkpoint
// of an unfinished node records the same digests: one trained from another output is not resumed.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputFileError, READ_LIMITS, readRegularText } from "../../lang/read-file.js";
import { lexists } from "../../common/fs-probe.js";
import type { FileRecord } from "./cache.js";
import { NODE_METRICS, NODE_SAMPLES } from "./entry-rows.js";

/** The node's log rows carry compute times: two computations of one output differ there and only there. */
const LOGS = new Set([NODE_METRICS, NODE_SAMPLES]);

/** A digest of an entry's output files (their names and sha256, logs aside), as entry.json records them. */
export function outputDigest(files: Record<string, FileRecord>): string {
  const h = createHash("sha256");
  for (const name of Object.keys(files).filter((f) => !LOGS.has(f)).sort()) h.update(`${name}\0${files[name]!.sha256}\n`);
  return h.digest("hex");
}

/** What an entry's recorded inputs say against the inputs' current outputs. */
export type InputCheck =
  | { status: "same" } // every recorded input's output is the one in place (or the entry records none: written before alignc recorded inputs)
  | { status: "pending"; inputs: string[] } // inputs still to be computed in this run: decide after them
  | { status: "changed"; input: string }; // an input's output is not the one this entry was computed from

/**
 * `recorded`: the entry's `inputs` (input hash → digest); `inputs`: the node's cache inputs, each with
 * its current output files (undefined: not computed yet in this run).
 */
export function checkInputs(recorded: Record<string, string> | undefined, inputs: readonly { id: string; hash: string; files: Record<string, FileRecord> | undefined }[]): InputCheck {
  if (!recorded) return { status: "same" };
  const pending: string[] = [];
  for (const i of inputs) {
    if (!i.files) {
      pending.push(i.id);
      continue;
    }
    if (recorded[i.hash] !== outputDigest(i.files)) return { status: "changed", input: i.id };
  }
  return pending.length === 0 ? { status: "same" } : { status: "pending", inputs: pending };
}

/** The file beside a checkpoint that says which outputs of its inputs it was trained from. */
export const CHECKPOINT_INPUTS = "inputs.json";

/** Write the inputs' digests into a checkpoint folder being saved. */
export function writeCheckpointInputs(dir: string, inputs: Record<string, string>): void {
  writeFileSync(join(dir, CHECKPOINT_INPUTS), JSON.stringify(inputs));
}

/** Whether a checkpoint was trained from these inputs' outputs (one saved before alignc recorded them: yes, as before). */
export function checkpointMatches(dir: string, inputs: Record<string, string>): boolean {
  let recorded: Record<string, string>;
  try {
    // never a plain read: a FIFO put in its place blocked the run for good, Ctrl-C included (audit35 M1)
    recorded = JSON.parse(readRegularText(join(dir, CHECKPOINT_INPUTS), READ_LIMITS.template, "checkpoint record")) as Record<string, string>;
  } catch (err) {
    // not a regular file: damage, which the resume's check of the checkpoint's files (DONE records this
    // one) refuses, named; taken as matching here so that the check, not a silent restart, says so
    const path = join(dir, CHECKPOINT_INPUTS);
    if (err instanceof InputFileError && lexists(path) && !lstatSync(path).isFile()) return true;
    return !existsSync(join(dir, CHECKPOINT_INPUTS));
  }
  const keys = Object.keys(inputs);
  return keys.length === Object.keys(recorded).length && keys.every((k) => recorded[k] === inputs[k]);
}

/** The file beside a checkpoint that names the backend whose arithmetic it holds (with its tfjs release). */
export const CHECKPOINT_BACKEND = "backend.txt";

export function writeCheckpointBackend(dir: string, backend: string | null): void {
  if (backend) writeFileSync(join(dir, CHECKPOINT_BACKEND), backend);
}

/** The backend a checkpoint was trained on; null when it does not say (saved before alignc recorded it). */
export function checkpointBackend(dir: string): string | null {
  try {
    return readRegularText(join(dir, CHECKPOINT_BACKEND), READ_LIMITS.template, "checkpoint record").trim() || null;
  } catch {
    return null;
  }
}

/** The backend label of an entry computed from a checkpoint (and of the checkpoints a resumed attempt
 * saves): a chain `cpu, tfjs 4.22.0 to step 2, then wasm, tfjs 4.22.0` when a resume changed the backend
 * (figures are bit-identical on one backend only, so such an entry is none of them); the checkpoint's
 * own label when the resume kept its last backend. */
export function resumedBackend(before: string | null, now: string | undefined, step: number): string | undefined {
  if (!before || !now) return now;
  const parts = backendsIn(before);
  return parts[parts.length - 1] === now ? before : `${before} to step ${step}, then ${now}`;
}

/** The backends an entry's label names, in order: one, or each of a chain of resumes on other backends. */
export function backendsIn(label: string): string[] {
  return label.split(/ to step \d+, then /);
}

/** The backend label of each node's checkpoints and entry in one run: the selected backend, or the chain
 * of a resume from a checkpoint another backend trained (recorded when the node resumes). */
export class ResumeBackends {
  private readonly from = new Map<string, { backend: string | null; step: number }>();

  /** node `id` resumes from the checkpoint in `dir`, saved at `step` */
  resumes(id: string, dir: string, step: number): void {
    this.from.set(id, { backend: checkpointBackend(dir), step });
  }

  label(id: string, now: string | undefined): string | undefined {
    const f = this.from.get(id);
    return f ? resumedBackend(f.backend, now, f.step) : now;
  }
}
