// Who wrote a temp file, in its name: `<host>-<pid>` (the host as 8 hex digits of its name's sha256).
// Clearing what a killed writer left (a temp beside a recipe, a cache entry being written, a lock being
// taken) must tell a dead writer from a live one; a process id means that only on the host that issued
// it, and a folder may be shared by several machines (an NFS home, a lab's cache). So a temp of
// another host is never cleared here: its writer may be writing it now.
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { pidAlive } from "./fs-probe.js";

const HOST = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);

/** This process's tag: `<host>-<pid>`. */
export function writerTag(): string {
  return `${HOST}-${process.pid}`;
}

/** A writer tag in a regular expression: `<host>-<pid>`, or a bare `<pid>` (names written before the
 * host was in them). Wrap it in a group to read the tag back. */
export const WRITER_TAG_RE = "(?:[0-9a-f]{8}-)?\\d+";

/** Is the writer a tag names known to be gone: a process of this host, not this one, that no longer
 * runs? Another host's tag is never gone; a bare pid (an older name) is read as this host's. */
export function writerGone(tag: string): boolean {
  const m = /^(?:([0-9a-f]{8})-)?(\d+)$/.exec(tag);
  if (!m || (m[1] !== undefined && m[1] !== HOST)) return false;
  const pid = Number(m[2]);
  return pid !== process.pid && !pidAlive(pid);
}
