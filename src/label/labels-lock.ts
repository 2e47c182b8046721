// One `alignc label` server per labels file. Two at once (a second started in another terminal, or one
// believed stopped) each appended their own labels with no regard for the other: one labeler's set
// labeled twice with opposite rankings, and a failed write's truncation, or the torn-line repair at
// start-up, could cut the other server's lines. The lock is the stage cache's (src/run/storage/lock.ts):
// a file beside the labels naming its owner, broken at once when the owner is a dead process of this host
// (a kill -9), refused when it is a live one.
import { accessSync, constants, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { skipsFileFor } from "./session.js";
import { acquireLock, LockTimeoutError, type Lock } from "../run/storage/lock.js";
import { JournalError } from "./store.js";

/** `.labels.jsonl.alignc-label.lock` beside the file the labels go to: the labels file's real one, links
 * followed (huntH42 F3: a recipe naming `link.jsonl` → `labels.jsonl` locked `.link.jsonl…`, and a second
 * server appended to the same file beside the first, each unaware of the other's labels). */
export const labelsLockPath = (labelsFile: string): string => {
  const real = realTarget(labelsFile);
  return join(dirname(real), `.${basename(real)}.alignc-label.lock`);
};

/** The file that appending to `file` writes: its real path, through links to links and linked folders; for
 * a file not there yet (or a link to one), the real path of its folder with its name. Not fs-probe's
 * realPathOrNearest, which stops at a dangling link: appending through one creates the file where it
 * leads, so two servers must lock there. */
function realTarget(file: string, depth = 0): string {
  try {
    return realpathSync(file);
  } catch {
    // not there yet, or a link to a file not there yet (the first label creates it where the link leads)
    try {
      if (depth < 40 && lstatSync(file).isSymbolicLink()) return realTarget(resolve(dirname(file), readlinkSync(file)), depth + 1);
    } catch {
      // nothing at `file`
    }
    try {
      return join(realpathSync(dirname(file)), basename(file));
    } catch {
      return resolve(file);
    }
  }
}

/** Refresh interval of the lock's mtime: a server on another host of a shared folder is alive while it moves. */
const TOUCH_MS = 60_000;

export interface LabelsLock {
  release(): void;
}

/** `file` (or where its symbolic link points) can be appended to or created; else a JournalError. */
function assertWritable(file: string, labelsFile: string): void {
  let target = file;
  try {
    if (lstatSync(file).isSymbolicLink()) target = resolve(dirname(file), readlinkSync(file));
  } catch {
    // not there yet: created in its folder
  }
  const shown = target === file ? file : `${file} (a link to ${target})`;
  const what = file === labelsFile ? "labels" : "skips";
  try {
    accessSync(dirname(target), constants.W_OK | constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new JournalError(`${shown}: its folder ${code === "ENOENT" ? "does not exist" : `is not writable (${code})`}: ${what} could not be saved`, labelsFile);
  }
  try {
    accessSync(target, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new JournalError(`${shown}: not writable (${code}): ${what} could not be saved`, labelsFile);
  }
}

/** Take the labels file's lock, or say who holds it (JournalError: exit 1, nothing touched). */
export async function lockLabelsFile(labelsFile: string): Promise<LabelsLock> {
  const path = labelsLockPath(labelsFile);
  // a file alignc could never write to is said now, not at the first label or skip: the labels file and
  // its skips sidecar (a skips file it could not write, or a labels file that is a link to a folder that
  // does not exist, passed and the first label was a 500 with a stack trace: huntD39 M2)
  for (const file of [labelsFile, skipsFileFor(labelsFile)]) assertWritable(file, labelsFile);
  let lock: Lock;
  try {
    lock = await acquireLock(path, { waitMs: 0, foreignFile: "refuse", purpose: `alignc label serving ${basename(labelsFile)}` });
  } catch (e) {
    if (e instanceof LockTimeoutError && e.owner)
      throw new JournalError(`${labelsFile}: another \`alignc label\` (pid ${e.owner.pid} on ${e.owner.host}, since ${e.owner.since}) is serving this labels file; stop it first (two at once would write labels unaware of each other)`, labelsFile);
    if (e instanceof Error && (e as NodeJS.ErrnoException).code) throw new JournalError(`${labelsFile}: cannot take its lock ${path}: ${e.message}`, labelsFile);
    throw e;
  }
  const timer = setInterval(() => lock.touch(), TOUCH_MS);
  timer.unref();
  return {
    release() {
      clearInterval(timer);
      lock.release();
    },
  };
}
