// Who wrote a temp file, in its name: `<host>-<pid>-s<start>` (the host as 8 hex digits of its name's
// sha256; the start as fs-probe's processStart reads it, the process's start time in clock ticks since
// boot). Clearing what a killed writer left (a temp beside a recipe, a cache entry being written, a
// lock being taken) must tell a dead writer from a live one. A pid alone does not: after a crash the
// OS may give the dead writer's pid to another process, and its temps would then be kept for as long
// as that process runs; the start time tells the two apart. A process id means something only on the
// host that issued it, and a folder may be shared by several machines (an NFS home, a lab's cache), so
// a temp of another host is never cleared here: its writer may be writing it now.
//
// Older names stay readable and are judged as before: `<host>-<pid>`, and a bare `<pid>` (names
// written before the host was in them) read as this host's. Where the start time cannot be read (no
// /proc: another OS, or a /proc mounted with hidepid), the tag is `<host>-<pid>` and a tag is judged
// by its pid alone, as it always was there.
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { processAlive, processStart } from "./fs-probe.js";

const HOST = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);

/** This process's start time, read once (it cannot change); null where /proc cannot be read. */
let ownStart: string | null | undefined;

/** This process's tag: `<host>-<pid>-s<start>`, or `<host>-<pid>` where the start time cannot be read. */
export function writerTag(): string {
  if (ownStart === undefined) ownStart = processStart(process.pid);
  return ownStart === null ? `${HOST}-${process.pid}` : `${HOST}-${process.pid}-s${ownStart}`;
}

/** A writer tag in a regular expression: `<host>-<pid>-s<start>`, `<host>-<pid>`, or a bare `<pid>`.
 * The `s` is not a hex digit, so a start time is never read as the random hex that follows a tag.
 * Wrap it in a group to read the tag back. */
export const WRITER_TAG_RE = "(?:[0-9a-f]{8}-)?\\d+(?:-s\\d+)?";

/** A writer tag that names its host: what a sweep of a user's folder reads (temps beside a recipe, an
 * export's staging and lock temps). A bare pid is read only in alignc's own folders (its cache): in a
 * user's folder, `.r.align.tmp-4000000-deadbeef` may be anyone's name, and was removed as a dead temp. */
export const HOSTED_WRITER_TAG_RE = "[0-9a-f]{8}-\\d+(?:-s\\d+)?";

/** Is the writer a tag names known to be gone: a process of this host that no longer runs, or whose pid
 * now belongs to a process that started at another time? Another host's tag is never gone; a bare pid
 * (an older name) is read as this host's; a tag without a start time (older names, or a writer on a
 * host without /proc) is judged by its pid alone, and so is any tag where /proc cannot be read now. */
export function writerGone(tag: string): boolean {
  const m = /^(?:([0-9a-f]{8})-)?(\d+)(?:-s(\d+))?$/.exec(tag);
  if (!m || (m[1] !== undefined && m[1] !== HOST)) return false;
  // this process itself included: a tag with our pid and another start time is an earlier process's
  return !processAlive(Number(m[2]), m[3] ?? null);
}
