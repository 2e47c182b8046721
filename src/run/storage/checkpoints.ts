// Checkpoints of a node not finished yet, so a run stopped by Ctrl-C, a crash or kill -9 resumes:
// `<cache>/.partial/<hash>/ckpt-<step>/`, each written in a temp folder `.tmp-ckpt-<step>-<writer>-<rand>`
// and renamed into place with `DONE` (the step, and each file's size and sha256) last.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fsyncDir, writeFileAtomicSync } from "../../common/atomic-write.js";
import { isRealDir, lexists } from "../../common/fs-probe.js";
import { makeDirs } from "../../common/make-dirs.js";
import { writerTag } from "../../common/writer-tag.js";
import { hashRegularFile, READ_LIMITS, readRegularText } from "../../lang/read-file.js";
import type { FileRecord } from "./entry-meta.js";
import { fileRecords, fsyncTree } from "./folder-records.js";
import { foreignName, removeOwnFolder, rmdirIfEmpty, type KeptFiles } from "./remove-own.js";

export interface Checkpoint {
  step: number;
  dir: string;
}

/** A checkpoint being written (save()'s temp folder: `.tmp-ckpt-<step>-<writer>-<rand>`). */
const TEMP_CHECKPOINT = /^\.tmp-ckpt-\d+-/;
/** A checkpoint being removed (`.rm-ckpt-<step>-<writer>-<rand>`; group 1: its own name). */
const REMOVING = /^\.rm-(ckpt-\d+)-.+$/;

export class CheckpointStore {
  constructor(
    private readonly root: string,
    private readonly checkHash: (hash: string) => void,
  ) {}

  private partialDir(hash: string): string {
    this.checkHash(hash);
    return join(this.root, ".partial", hash);
  }

  /** Write checkpoint `step` of node `hash` (temp folder + rename); keeps the newest `keep`. */
  async save(hash: string, step: number, write: (dir: string) => void | Promise<void>, keep = 2): Promise<Checkpoint> {
    const base = this.partialDir(hash);
    makeDirs(base);
    const name = `ckpt-${String(step).padStart(9, "0")}`;
    const tmp = join(base, `.tmp-${name}-${writerTag()}-${randomBytes(4).toString("hex")}`);
    mkdirSync(tmp);
    try {
      await write(tmp);
      // each file's size and sha256, as an entry records them: a resume holds the files to them
      // (checkpointDamage), so a checkpoint damaged since is never trained on and stored as the node
      const files = fileRecords(tmp, "DONE");
      writeFileAtomicSync(join(tmp, "DONE"), JSON.stringify({ step, saved: new Date().toISOString(), files }) + "\n");
      fsyncTree(tmp);
      const final = join(base, name);
      if (lexists(final)) this.removeCheckpoint(final); // an earlier attempt's at this step (a user's file in it kept aside)
      renameSync(tmp, final);
      fsyncDir(base);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    const all = this.list(hash);
    for (const old of all.slice(0, Math.max(0, all.length - keep))) this.removeCheckpoint(old.dir);
    for (const name of readdirSync(base)) {
      if (name.includes(`-${writerTag()}-`)) continue;
      if (TEMP_CHECKPOINT.test(name)) rmSync(join(base, name), { recursive: true, force: true });
      else if (REMOVING.test(name)) this.removeCheckpoint(join(base, name)); // a removal a kill stopped
    }
    return { step, dir: join(base, name) };
  }

  /** Complete checkpoints of node `hash`, oldest first. */
  list(hash: string): Checkpoint[] {
    const base = this.partialDir(hash);
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .filter((n) => /^ckpt-\d+$/.test(n) && existsSync(join(base, n, "DONE")))
      .sort()
      .map((n) => ({ step: Number(n.slice(5)), dir: join(base, n) }));
  }

  /** Which file of a checkpoint differs from what its DONE recorded when it was written, and how (null:
   * whole). A DONE that records no files was written before alignc recorded them: resumed as before. A
   * file nobody reads (a `.DS_Store`) is no damage: only the recorded files are held to their record. */
  damage(ck: Checkpoint): { file: string; why: string } | null {
    let recorded: Record<string, FileRecord> | undefined;
    try {
      recorded = (JSON.parse(readRegularText(join(ck.dir, "DONE"), READ_LIMITS.template, "checkpoint record")) as { files?: Record<string, FileRecord> } | null)?.files;
    } catch (err) {
      return { file: "DONE", why: (err as Error).message };
    }
    if (!recorded || typeof recorded !== "object") return null;
    for (const [file, rec] of Object.entries(recorded)) {
      if (rec === null || typeof rec !== "object" || typeof rec.bytes !== "number" || typeof rec.sha256 !== "string") return { file: "DONE", why: `its record of ${file} is not a size and a sha256` };
      const path = join(ck.dir, file);
      let now: FileRecord;
      try {
        now = { bytes: statSync(path).size, sha256: hashRegularFile(path) };
      } catch (err) {
        return { file, why: (err as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : (err as Error).message };
      }
      if (now.bytes !== rec.bytes || now.sha256 !== rec.sha256) return { file, why: `${now.bytes} bytes with sha256 ${now.sha256.slice(0, 12)}…, where ${rec.bytes} bytes with sha256 ${String(rec.sha256).slice(0, 12)}… were written` };
    }
    return null;
  }

  /** Remove node hash's checkpoints (its `.partial/<hash>/`): what alignc did not write is kept and returned. */
  clear(hash: string): KeptFiles[] {
    const base = this.partialDir(hash);
    if (!isRealDir(base)) return []; // absent, or a link a user made: nothing of alignc's to remove
    const kept: KeptFiles[] = [];
    const strangers: string[] = [];
    for (const name of readdirSync(base).sort()) {
      const path = join(base, name);
      // a checkpoint, or one whose removal a kill stopped
      if ((/^ckpt-\d+$/.test(name) || REMOVING.test(name)) && isRealDir(path)) {
        const k = this.removeCheckpoint(path);
        if (k) kept.push(k);
      } else if (TEMP_CHECKPOINT.test(name)) rmSync(path, { recursive: true, force: true }); // a writer's, whose node lock we hold
      else strangers.push(name);
    }
    if (strangers.length) kept.push({ path: base, files: strangers });
    else if (!kept.length) rmdirIfEmpty(base);
    return kept;
  }

  /** Remove a checkpoint folder: the files its DONE records and DONE; a file alignc did not write is kept,
   * the folder renamed `ckpt-<step>.foreign-<time>` (checkpoints() takes no such name). A DONE written
   * before checkpoints recorded their files names none: that folder goes whole, as it did then. */
  private removeCheckpoint(dir: string): KeptFiles | null {
    // renamed first, so a kill -9 midway leaves no half-removed `ckpt-<step>` a resume could take; what
    // it leaves (DONE goes last) the next clear() or save() of the node removes
    const name = basename(dir);
    const removing = REMOVING.test(name) ? dir : join(dirname(dir), `.rm-${name}-${writerTag()}-${randomBytes(4).toString("hex")}`);
    if (removing !== dir) renameSync(dir, removing);
    return this.removeRecordedCheckpoint(removing, join(dirname(dir), name.replace(REMOVING, "$1")));
  }

  private removeRecordedCheckpoint(dir: string, keptName: string): KeptFiles | null {
    let record: unknown = null;
    try {
      record = JSON.parse(readRegularText(join(dir, "DONE"), READ_LIMITS.template, "checkpoint record"));
    } catch {
      // no readable DONE: nothing says which files are alignc's, so every one is kept
    }
    const files = record !== null && typeof record === "object" ? (record as { files?: unknown }).files : undefined;
    if (record !== null && typeof record === "object" && files === undefined) {
      rmSync(dir, { recursive: true, force: true });
      return null;
    }
    const recorded = files !== null && typeof files === "object" ? Object.keys(files) : [];
    return removeOwnFolder(dir, recorded, "DONE", foreignName(keptName));
  }
}
