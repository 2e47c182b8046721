// Reading a file of a cache entry after the entry was resolved. `alignc run --force NODE` in another
// process replaces NODE's entry folder while this run may be using it (cache.ts put/swapIn: the old
// folder aside, the new one in, the old one removed). cache.read keeps what it reads within one
// generation of an entry (it reads entry.json again after), but a consumer opens a node's files
// later: a stage's weights when the next stage starts, hours after the run read the entry's rows and
// summary. Opened by path, that file may be the new generation's (a model the run never recorded, and
// whose answers the generation cache would store under the old weights' sha256), or, between the
// two renames, absent. Here the bytes are held to the size and sha256 that the generation the run
// resolved recorded in its entry.json: what comes back is that generation's content whatever happened
// to the folder since, or an EntryChangedError; never another generation's bytes. A forced entry
// recomputed bit for bit (alignc's figures are reproducible on one backend) reads as the same and
// passes. A file found missing is read again a few times first: swapIn's two renames take
// microseconds, and the entry is then whole again.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { lexists } from "../../common/fs-probe.js";
import { InputFileError, readRegularFile } from "../../lang/read-file.js";
import { readEntryMeta, type FileRecord } from "./cache.js";

/** A file of a resolved entry no longer holds what that entry recorded. `why`: what differs;
 * `replaced`: the entry's entry.json records the file otherwise now (another process replaced or
 * removed the entry), else the file changed under the same entry.json (damage from outside alignc). */
export class EntryChangedError extends Error {
  constructor(
    readonly file: string,
    readonly why: string,
    readonly replaced: boolean,
  ) {
    super(`${file}: ${why}`);
    this.name = "EntryChangedError";
  }
}

/** Whether entry.json in `dir` records `name` otherwise than `rec` now, or is gone: the entry was
 * replaced or removed, as opposed to its file changing under the same entry.json (damage). */
export function replacedSince(dir: string, name: string, rec: FileRecord | undefined): boolean {
  const now = readEntryMeta(dir)?.files[name];
  return !now || !rec || now.bytes !== rec.bytes || now.sha256 !== rec.sha256;
}

const MISSING_READS = 5;
const MISSING_WAIT_MS = 20;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The bytes of `name` in the entry folder `dir`, as `rec` (the resolved entry.json's record of it)
 * says they are; an EntryChangedError when they are not (replaced, removed or changed since). */
export function readEntryFile(dir: string, name: string, rec: FileRecord | undefined): Buffer {
  const file = join(dir, name);
  const changed = (why: string): never => {
    throw new EntryChangedError(file, why, replacedSince(dir, name, rec));
  };
  if (!rec) return changed(`the entry this run read records no ${name}`);
  for (let attempt = 1; ; attempt++) {
    let bytes: Buffer;
    try {
      bytes = readRegularFile(file, rec.bytes, "cache file");
    } catch (err) {
      if (!(err instanceof InputFileError)) throw err;
      if (!lexists(file)) {
        if (attempt < MISSING_READS) {
          sleepSync(MISSING_WAIT_MS * attempt);
          continue;
        }
        return changed("is gone");
      }
      return changed(/larger than/.test(err.message) ? `holds more than the ${rec.bytes} bytes the entry this run read recorded` : err.message);
    }
    if (bytes.length !== rec.bytes) return changed(`holds ${bytes.length} bytes, not the ${rec.bytes} the entry this run read recorded`);
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (sha !== rec.sha256) return changed(`has sha256 ${sha.slice(0, 12)}…, not the ${rec.sha256.slice(0, 12)}… the entry this run read recorded`);
    return bytes;
  }
}

/** A file's record, for a reader outside this layer (the data layer's draws) that checks the bytes
 * itself, with how to tell a replaced entry from a damaged one when they differ. */
export function heldRecord(dir: string, name: string, rec: FileRecord | undefined): (FileRecord & { replaced: () => boolean }) | undefined {
  return rec && { ...rec, replaced: () => replacedSince(dir, name, rec) };
}
