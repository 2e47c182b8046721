// The sha256 of each data file's bytes as the data layer last read them, whole, in this process. A run holds
// them to its plan's sha256 once it has prepared its data (src/run/storage/planned-files.ts): a file that
// changed while it was read and changed back before the run hashed it again from disk (a generator
// rewriting it in place, with the same bytes in the end) trained a stage on what the plan did not hash,
// cached under the plan's hash (hunt37c). The last read of a path counts: a recipe planned again after an
// edit reads the file anew.
import { createHash } from "node:crypto";
import { resolve } from "node:path";

const lastRead = new Map<string, string>();

/** Record what a reader read of `path`, all of it (a partial read records nothing). */
export function recordRead(path: string, digest: string): void {
  lastRead.set(resolve(path), digest);
}

/** The sha256 of `bytes`, as recordRead takes it. */
export function sha256Of(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The digest of the last whole read of `path` in this process, if any. */
export function lastReadDigest(path: string): string | undefined {
  return lastRead.get(resolve(path));
}
