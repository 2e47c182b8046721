// The content-addressed stage cache. Each plan node's output lives in one folder named by the
// node's hash: `<root>/<hash>/` holding the node's files and `entry.json` (what made it, and the
// size and sha256 of every file). An entry is written in a private temp folder, every file is
// fsynced, then the folder is renamed into place in one step: after a kill -9 at any moment an
// entry is either complete or absent. A lock per hash keeps two runs from computing one entry at
// once; the second waits, then finds the entry cached.
//
// Layout:   <root>/<hash>/…            complete entries
//           <root>/.tmp/<hash>.<writer>.<n>/  entries being written (swept when their writer is gone; <writer> is
//                      `<host>-<pid>-s<start>`: writer-tag.ts),
//                      and `<hash>.deleted|replaced.<writer>.<n>/` entries being removed or replaced (--force)
//           <root>/.locks/<hash>.lock   see lock.ts
//           <root>/.partial/<hash>/ckpt-<step>/  checkpoints of a node not finished yet (resume)
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fsyncDir, writeFileAtomicSync } from "../../common/atomic-write.js";
import { hashRegularFile, READ_LIMITS, readRegularText } from "../../lang/read-file.js";
import { acquireLock, removeDeadWriters, type Lock, type LockOptions } from "./lock.js";
import { makeDirs } from "../../common/make-dirs.js";
import { lexists } from "../../common/fs-probe.js";
import { ENTRY_FILE, entryCheck, entryIntact, isEntryShaped, sizeDamage } from "./entry-check.js";
import { WRITER_TAG_RE, writerTag } from "../../common/writer-tag.js";
import { ForeignEntryError, type CacheEntry, type EntryExtras, type EntryMeta } from "./entry-meta.js";
import { foreignName, removeOwnFolder, type KeptFiles } from "./remove-own.js";
import { fileRecords, fsyncTree } from "./folder-records.js";
import { CheckpointStore, type Checkpoint } from "./checkpoints.js";

export type { Checkpoint } from "./checkpoints.js";

export { ForeignEntryError, type CacheEntry, type EntryExtras, type EntryMeta, type FileRecord } from "./entry-meta.js";

const ENTRY = ENTRY_FILE;

/** The entry.json of a complete entry folder (what made it, its files' sizes and sha256), or null. */
export function readEntryMeta(dir: string): EntryMeta | null {
  const text = readText(join(dir, ENTRY));
  try {
    return text === null ? null : (JSON.parse(text) as EntryMeta);
  } catch {
    return null;
  }
}
const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A temp folder put() or remove() makes in `.tmp` (group 1: its writer's tag). */
const TEMP_ENTRY = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]*\\.(?:(?:deleted|replaced)\\.)?(${WRITER_TAG_RE})\\.[0-9a-f]{8}$`);

function checkHash(hash: string): void {
  if (!SAFE.test(hash)) throw new Error(`cache: not a valid entry name: ${JSON.stringify(hash)}`);
}

/** `ALIGNC_CACHE`, else `<runsDir>/.cache`. */
export function defaultCacheRoot(runsDir = "runs"): string {
  return resolve(process.env.ALIGNC_CACHE || join(runsDir, ".cache"));
}

/** A cache file's text, or null when it is missing or not a regular file: a FIFO or device put under
 * the name (entry.json) would block a plain read forever; such an entry is incomplete, a miss. */
function readText(path: string): string | null {
  try {
    return readRegularText(path, READ_LIMITS.wholeData, "cache file");
  } catch {
    return null;
  }
}


export class StageCache {
  readonly root: string;

  constructor(root: string = defaultCacheRoot()) {
    this.root = resolve(root);
    this.checkpointStore = new CheckpointStore(this.root, checkHash);
  }

  entryDir(hash: string): string {
    checkHash(hash);
    return join(this.root, hash);
  }

  /** The entry for hash when it is complete and its files have the recorded sizes; else null. */
  get(hash: string): CacheEntry | null {
    return this.read(hash, () => undefined)?.entry ?? null;
  }

  /**
   * The entry for hash (as get()) and what `fn` reads from it, both of one entry: `--force` replaces
   * an entry while other runs may read it (put's `replace`), so entry.json is read again after `fn`;
   * when it changed in between, the read is done again on the entry now in place. null: no entry.
   */
  read<T>(hash: string, fn: (entry: CacheEntry) => T): { entry: CacheEntry; value: T } | null {
    const dir = this.entryDir(hash);
    for (let attempt = 0; ; attempt++) {
      const text = readText(join(dir, ENTRY));
      if (text === null) return null;
      let meta: EntryMeta;
      try {
        meta = JSON.parse(text) as EntryMeta;
      } catch {
        return null;
      }
      // not an entry's shape (`null`, a list: a TypeError below, exit 70; review34 L6), or a changed byte in
      // it (a figure of `data`, a file's record): not served, a miss, recomputed and replaced
      if (!isEntryShaped(meta) || meta.hash !== hash || !entryIntact(meta)) return null;
      const whole = sizeDamage(dir, meta.files) === null;
      const entry = { hash, dir, meta };
      let value: T | undefined;
      let error: unknown = null;
      if (whole) {
        try {
          value = fn(entry);
        } catch (err) {
          error = err;
        }
      }
      // unchanged since it was first read: the sizes, and what fn read, are this entry's
      if (readText(join(dir, ENTRY)) === text) {
        if (!whole) return null;
        if (error !== null) throw error;
        return { entry, value: value as T };
      }
      if (attempt >= 10) return null; // replaced again and again: a miss (whose lock waits for the replacing run)
    }
  }

  /** Whether the folder at hash's path holds an entry.json alignc wrote for that hash (whole or not). */
  private ownEntry(hash: string): boolean {
    return readEntryMeta(this.entryDir(hash))?.hash === hash;
  }

  /** Whether something is at hash's entry path that holds no entry.json alignc wrote for it (a stranger's
   * folder or file, or an entry whose entry.json is lost): put() refuses it, `--force` sets it aside. */
  foreignAt(hash: string): boolean {
    return lexists(this.entryDir(hash)) && !this.ownEntry(hash);
  }

  /** Make way for a new entry of hash: something alignc did not write at its path (foreignAt) is refused
   * (ForeignEntryError) or, forced, moved aside and kept (setAsideForeign). Where it went, else null. */
  makeWay(hash: string, force: boolean): string | null {
    if (!this.foreignAt(hash)) return null;
    if (!force) throw new ForeignEntryError(this.entryDir(hash));
    return this.setAsideForeign(hash);
  }

  /**
   * Move what is at hash's entry path, which alignc did not write (foreignAt), aside beside it, kept:
   * `<hash>.foreign-<time>`, a name no reader of the cache takes for an entry. `--force NODE` removed such
   * a folder with the entry it replaced (audit35 L4: a user's thesis.tex went with it). The new path.
   */
  setAsideForeign(hash: string): string {
    checkHash(hash);
    const aside = foreignName(this.entryDir(hash));
    renameSync(this.entryDir(hash), aside);
    fsyncDir(this.root);
    return aside;
  }

  /** Full check: every file's sha256 matches entry.json (slower than get(); used by tests). */
  verify(hash: string): boolean {
    const entry = this.get(hash);
    if (!entry) return false;
    return Object.entries(entry.meta.files).every(([name, rec]) => hashRegularFile(join(entry.dir, name)) === rec.sha256);
  }

  lock(hash: string, opts: LockOptions = {}): Promise<Lock> {
    return acquireLock(this.lockPath(hash), opts);
  }

  /** Where the node's lock lives (for a reader that must not take it: `cache prune --dry-run`). */
  lockPath(hash: string): string {
    checkHash(hash);
    return join(this.root, ".locks", `${hash}.lock`);
  }

  /**
   * Write an entry: `write(dir)` fills a fresh temp folder; then the files are hashed, fsynced and
   * the folder renamed to `<root>/<hash>`. The caller should hold `lock(hash)`. If a complete entry
   * already exists (a writer that did not lock), it wins and ours is dropped: same hash, same content.
   * `replace` (`alignc run --force`: an entry may be damaged in ways get() does not see) swaps ours in
   * instead: the old entry is renamed aside, ours renamed into place, then the old one removed, so a
   * reader (read()) sees the old entry whole, ours whole, or, between the two renames, none (a miss,
   * which waits on the lock the replacing run holds and then reuses ours).
   */
  async put(
    hash: string,
    info: { kind: string; label: string; seconds: number; data?: unknown },
    write: (dir: string) => void | EntryExtras | Promise<void | EntryExtras>,
    opts: { replace?: boolean } = {},
  ): Promise<CacheEntry> {
    const final = this.entryDir(hash);
    const tmpRoot = join(this.root, ".tmp");
    makeDirs(tmpRoot);
    const tmp = join(tmpRoot, `${hash}.${writerTag()}.${randomBytes(4).toString("hex")}`);
    mkdirSync(tmp);
    try {
      const extras = (await write(tmp)) ?? {};
      if (existsSync(join(tmp, ENTRY))) throw new Error(`cache: ${ENTRY} is reserved`);
      const files = fileRecords(tmp);
      const unchecked: EntryMeta = { hash, kind: info.kind, label: info.label, created: new Date().toISOString(), seconds: extras.seconds ?? info.seconds, files, data: extras.data ?? info.data ?? null, ...(extras.backend ? { backend: extras.backend } : {}), ...(extras.inputs ? { inputs: extras.inputs } : {}) };
      // through JSON first, so the checksum is taken over what a reader parses (undefined fields dropped)
      const parsed = JSON.parse(JSON.stringify(unchecked)) as EntryMeta;
      const meta: EntryMeta = { ...parsed, check: entryCheck(parsed) };
      writeFileAtomicSync(join(tmp, ENTRY), JSON.stringify(meta, null, 2) + "\n");
      fsyncTree(tmp);
      try {
        renameSync(tmp, final);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // an entry alignc wrote whose files no longer match their record (a truncated model: read() took
        // it for a miss, so the node was computed again) is replaced, not named as a stranger's (audit33 L1)
        // (replace included: only an entry alignc wrote is removed; run() sets a stranger's folder aside first)
        if ((code === "ENOTEMPTY" || code === "EEXIST") && this.ownEntry(hash) && (opts.replace || !this.get(hash))) {
          const kept = this.swapIn(hash, tmp);
          return { hash, dir: final, meta, ...(kept ? { kept } : {}) };
        }
        if ((code === "ENOTEMPTY" || code === "EEXIST") && this.get(hash)) {
          rmSync(tmp, { recursive: true, force: true });
          return this.get(hash)!;
        }
        // a folder at the final name without a readable entry.json is no entry alignc wrote (its
        // entries are renamed into place whole): it was deleted here, though the cache folder may be
        // one the user shares (ALIGNC_CACHE); now it is named and left alone
        if (code === "ENOTEMPTY" || code === "EEXIST") throw new ForeignEntryError(final);
        throw err;
      }
      fsyncDir(this.root);
      return { hash, dir: final, meta };
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Replace the entry folder of hash by `tmp` (complete and synced): old aside, new in, old removed
   * (a file alignc did not write kept: the kept folder, else null). */
  private swapIn(hash: string, tmp: string): KeptFiles | null {
    const final = this.entryDir(hash);
    // named as remove()'s are, so a kill -9 between the renames leaves a folder sweep() clears
    const aside = join(this.root, ".tmp", `${hash}.replaced.${writerTag()}.${randomBytes(4).toString("hex")}`);
    try {
      renameSync(final, aside);
    } catch (err) {
      // gone meanwhile (removed by hand): ours simply goes in
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      renameSync(tmp, final);
      fsyncDir(this.root);
      return null;
    }
    try {
      renameSync(tmp, final);
    } catch (err) {
      renameSync(aside, final); // ours cannot go in: the old entry back, as it was
      throw err;
    }
    fsyncDir(this.root);
    return this.discard(hash, aside);
  }

  /** Remove the entry of hash; a file in it alignc did not write is kept, in the folder returned. */
  remove(hash: string): KeptFiles | null {
    const dir = this.entryDir(hash);
    if (!existsSync(dir)) return null;
    // rename away first so a reader never sees a half-deleted entry
    const aside = join(this.root, ".tmp", `${hash}.deleted.${writerTag()}.${randomBytes(4).toString("hex")}`);
    makeDirs(join(this.root, ".tmp"));
    renameSync(dir, aside);
    return this.discard(hash, aside);
  }

  /** Delete an entry folder set aside: the files its entry.json records and entry.json; anything else
   * (a user's file put inside it) is kept, the folder moved out of `.tmp` (whose dead writers' folders
   * sweep() removes whole) to `<hash>.foreign-<time>` beside the entries. */
  private discard(hash: string, aside: string): KeptFiles | null {
    const files = readEntryMeta(aside)?.files;
    const recorded = files !== null && typeof files === "object" ? Object.keys(files) : [];
    return removeOwnFolder(aside, recorded, ENTRY, foreignName(this.entryDir(hash)));
  }

  /** Remove temp folders and half-taken lock files whose writer process is gone (left by kill -9). */
  sweep(): number {
    // only names alignc gives its temp folders: `<hash>.<writer>.<rand>`, `<hash>.deleted|replaced.<writer>.<rand>`
    // (rand: 8 hex digits). ALIGNC_CACHE may name a folder that held other things first: a file there
    // whose name merely has a number in its second-last part (`backup.20240101.tar`) is not ours
    // an entry being removed or replaced when its remover was killed still holds its entry.json (removed
    // last): removed as remove() would, a user's file in it kept
    const folders = removeDeadWriters(join(this.root, ".tmp"), (name) => TEMP_ENTRY.exec(name)?.[1] ?? null, {
      remove: (path, name) => {
        if (!/\.(?:deleted|replaced)\./.test(name)) return rmSync(path, { recursive: true, force: true });
        try {
          this.discard(name.slice(0, name.indexOf(".")), path);
        } catch {
          // left for the next sweep: one folder that cannot be moved now must not stop the rest (or prune)
        }
      },
    });
    // a lock being taken is first written to `<hash>.lock.<writer>-<nonce>.tmp` (lock.ts)
    const locks = removeDeadWriters(join(this.root, ".locks"), (name) => new RegExp(`\\.lock\\.(${WRITER_TAG_RE})-[0-9a-f]+\\.tmp$`).exec(name)?.[1] ?? null);
    return folders + locks;
  }

  // ---- checkpoints of an unfinished node (resume after Ctrl-C or a crash): checkpoints.ts ----

  private readonly checkpointStore: CheckpointStore;
  saveCheckpoint(hash: string, step: number, write: (dir: string) => void | Promise<void>, keep = 2): Promise<Checkpoint> {
    return this.checkpointStore.save(hash, step, write, keep);
  }
  checkpoints(hash: string): Checkpoint[] {
    return this.checkpointStore.list(hash);
  }
  checkpointDamage(ck: Checkpoint): { file: string; why: string } | null {
    return this.checkpointStore.damage(ck);
  }
  latestCheckpoint(hash: string): Checkpoint | null {
    return this.checkpoints(hash).at(-1) ?? null;
  }
  clearCheckpoints(hash: string): KeptFiles[] {
    return this.checkpointStore.clear(hash);
  }

}
