// Exclusive locks on cache entries, so two runs never compute and write the same entry at once.
// A lock is a file, hard-linked into place complete, that holds the owner's pid, host and a nonce. A lock
// is stale when its owner is gone: on this host, the pid no longer exists; on another host (a
// shared cache on NFS), the file has not been touched for `staleMs` (owners refresh it).
// Breaking a stale lock renames it aside first and checks that what was renamed is the lock that
// was judged stale; a fresh lock taken in between is put back, so two breakers never both win.
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, linkSync, lstatSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeSync, fsyncSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { isPlainFile, processAlive, processStart } from "../../common/fs-probe.js";
import { makeDirs } from "../../common/make-dirs.js";
import { writerGone, writerTag } from "../../common/writer-tag.js";

export interface LockInfo {
  pid: number;
  host: string;
  nonce: string;
  since: string; // ISO time the lock was taken
  purpose: string; // what the owner is doing, for the "waiting for …" message
  /** the owner's start time (fs-probe processStart): a later process given the same pid is not the owner */
  start?: string;
}

export interface LockOptions {
  /** how long to wait for a live owner before giving up (ms); 0 = fail at once */
  waitMs?: number;
  /** poll interval while waiting (ms) */
  pollMs?: number;
  /** age after which a lock from another host counts as abandoned (ms) */
  staleMs?: number;
  /** called once when the lock is held by a live owner and we start waiting */
  onWait?: (owner: LockInfo) => void;
  purpose?: string;
  /** polled while waiting for a live owner: true gives up with LockWaitStopped (a Ctrl-C must not wait hours) */
  stop?: () => boolean;
  /** a regular file at the lock's path that is no lock: "stale" (alignc's own cache, where an older alignc
   * may have left a torn lock: broken once 5 s old) or "refuse" (a user's folder: it is theirs) */
  foreignFile?: "stale" | "refuse";
}

export class LockTimeoutError extends Error {
  constructor(readonly path: string, readonly owner: LockInfo | null) {
    super(`lock ${path} is held by ${owner ? `pid ${owner.pid} on ${owner.host} since ${owner.since} (${owner.purpose})` : "another process"}`);
    this.name = "LockTimeoutError";
  }
}

/** The wait for a lock was given up because `stop()` said so (the run was asked to stop). */
export class LockWaitStopped extends Error {
  constructor(readonly path: string, readonly owner: LockInfo | null) {
    super(`stopped while waiting for ${owner ? `pid ${owner.pid} (${owner.purpose})` : "another process"}, which holds ${path}`);
    this.name = "LockWaitStopped";
  }
}

export interface Lock {
  readonly path: string;
  readonly info: LockInfo;
  /** refresh the file's mtime so owners on other hosts see it is alive */
  touch(): void;
  release(): void;
}

/** This process's start time, read once (it cannot change). */
let ownStart: string | null | undefined;
function startOfThisProcess(): { start?: string } {
  if (ownStart === undefined) ownStart = processStart(process.pid);
  return ownStart === null ? {} : { start: ownStart };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A file at a lock's path that is no lock alignc wrote (tryCreate links a lock into place whole, so
 * one of ours always parses): a user's file, a folder, a FIFO. It is never broken as stale (it was
 * deleted, or renamed aside, as an abandoned lock), and never read past its kind (a FIFO blocked). */
export class ForeignLockError extends Error {
  // an errno-shaped error (fs-error.ts): every command reports it as the user's environment, exit 1
  readonly code = "EEXIST";
  readonly syscall = "lock";
  constructor(readonly path: string, what: string) {
    super(`${path} is in the way of alignc's lock: it is ${what}, not a lock alignc wrote; move it away and run the command again`);
    this.name = "ForeignLockError";
  }
}

/** The most a lock file holds (pid, host, nonce, times, purpose): a larger file is not one. */
const LOCK_MAX_BYTES = 64 * 1024;

/** The lock at `path`: its owner, null when there is none (no file), or what else is there. */
function readLock(path: string): LockInfo | null | { foreign: string; regular: boolean } {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  if (st.isDirectory()) return { foreign: "a folder", regular: false };
  if (!st.isFile()) return { foreign: st.isSymbolicLink() ? "a symbolic link" : "a special file (a FIFO, a socket or a device)", regular: false };
  if (st.size > LOCK_MAX_BYTES) return { foreign: `a file of ${st.size} bytes`, regular: true };
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null; // released meanwhile
    return { foreign: "a file that is not JSON", regular: true };
  }
  const info = v as LockInfo | null;
  return info !== null && typeof info === "object" && typeof info.pid === "number" && typeof info.nonce === "string" && typeof info.host === "string" ? info : { foreign: "a JSON file without a lock's pid, host and nonce", regular: true };
}

/** The owner a lock file names, if it is a lock (for messages and comparisons). */
function ownerOf(r: ReturnType<typeof readLock>): LockInfo | null {
  return r === null || "foreign" in r ? null : r;
}

/**
 * Remove the files (or folders) of `dir` that a writer left behind when it was killed: `writer(name)`
 * gives the pid a name was written by (null: not a writer's file, kept; NaN: unreadable, removed);
 * files of a live writer are kept; `remove` removes one (default: whole). Returns how many were removed.
 */
export function removeDeadWriters(dir: string, writer: (name: string) => string | null, opts: { files?: boolean; remove?: (path: string, name: string) => void } = {}): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const name of readdirSync(dir)) {
    const tag = writer(name);
    if (tag === null || !writerGone(tag)) continue;
    // `files`: a sweep of a user's folder, where a writer's leftover is a file; a folder is not ours
    if (opts.files && !isPlainFile(join(dir, name))) continue;
    if (opts.remove) opts.remove(join(dir, name), name);
    else rmSync(join(dir, name), { recursive: !opts.files, force: true });
    n++;
  }
  return n;
}



function isStale(path: string, info: LockInfo, staleMs: number): boolean {
  let mtime: number;
  try {
    mtime = statSync(path).mtimeMs;
  } catch {
    return false; // gone: not stale, just free
  }
  const age = Date.now() - mtime;
  if (info.host === hostname()) return !processAlive(info.pid, info.start) || (info.pid === process.pid && !heldHere.has(info.nonce));
  return age > staleMs;
}

/** Nonces of the locks this process holds: a lock file naming our own pid but not held is stale. */
const heldHere = new Set<string>();

/**
 * Create the lock with its content in one step: write a private file, then hard-link it to the lock
 * path (link fails with EEXIST when the lock is taken, on local disks and NFS alike). A lock file
 * therefore never exists half-written, even when its owner is killed while taking it.
 */
function tryCreate(path: string, info: LockInfo): boolean {
  const tmp = `${path}.${writerTag()}-${info.nonce}.tmp`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, JSON.stringify(info) + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Rename a lock file aside and remove it, unless what was renamed is not what was judged breakable (a
 * fresh lock taken in between): that is put back, so two breakers never both win. `judged` says whether
 * the renamed file is the one judged: the stale lock (same nonce), or the torn file (still no lock).
 */
function breakAside(path: string, judged: (moved: ReturnType<typeof readLock>) => boolean): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // someone else broke it
    throw err;
  }
  if (!judged(readLock(aside))) {
    try {
      linkSync(aside, path); // give it back (link fails if a third took the path)
    } catch {
      /* the path is taken again: its new owner rules */
    }
  }
  rmSync(aside, { force: true });
}

/** A stale lock: broken unless it changed owner since it was judged stale. */
function breakStale(path: string, judged: LockInfo): void {
  breakAside(path, (m) => m !== null && !("foreign" in m) && m.nonce === judged.nonce);
}

/** A torn lock file of an older alignc in its own cache: broken unless a real lock replaced it meanwhile. */
function breakForeign(path: string): void {
  breakAside(path, (m) => m !== null && "foreign" in m);
}

/** Whether a live owner holds the lock at `path`, read without taking it (a dry run writes nothing): a
 * stale lock is free, as acquireLock would break it; anything else at the path counts as held. */
export function lockHeld(path: string, staleMs = 10 * 60_000): boolean {
  const found = readLock(path);
  if (found === null) return false;
  if ("foreign" in found) return !(found.regular && ageMs(path) > 5_000);
  return !isStale(path, found, staleMs);
}

export async function acquireLock(path: string, opts: LockOptions = {}): Promise<Lock> {
  const { waitMs = 24 * 3600_000, pollMs = 200, staleMs = 10 * 60_000, onWait, purpose = "", stop, foreignFile = "stale" } = opts;
  makeDirs(dirname(path));
  const info: LockInfo = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString("hex"), since: new Date().toISOString(), purpose, ...startOfThisProcess() };
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    if (tryCreate(path, info)) break;
    const found = readLock(path);
    if (found !== null && "foreign" in found) {
      // a torn lock of an older alignc in its own cache (locks are linked into place whole since): stale
      // once 5 s old; younger, it is waited on like a live owner's (its writer may be writing it now)
      if (!(found.regular && foreignFile === "stale")) throw new ForeignLockError(path, found.foreign);
      if (ageMs(path) > 5_000) {
        breakForeign(path);
        continue;
      }
    }
    const owner = found !== null && "foreign" in found ? null : found;
    if (owner !== null && isStale(path, owner, staleMs)) {
      breakStale(path, owner);
      continue;
    }
    if (Date.now() >= deadline) throw new LockTimeoutError(path, owner);
    if (stop?.()) throw new LockWaitStopped(path, owner);
    if (!told && owner) {
      told = true;
      onWait?.(owner);
    }
    await sleep(pollMs);
  }
  heldHere.add(info.nonce);
  let released = false;
  return {
    path,
    info,
    touch() {
      if (!released) {
        const now = new Date();
        try {
          utimesSync(path, now, now);
        } catch {
          /* broken by someone who judged us stale: release() will notice */
        }
      }
    },
    release() {
      if (released) return;
      released = true;
      heldHere.delete(info.nonce);
      // remove only our own lock: if it was broken and retaken, the file is someone else's now
      if (ownerOf(readLock(path))?.nonce === info.nonce) rmSync(path, { force: true });
    },
  };
}
