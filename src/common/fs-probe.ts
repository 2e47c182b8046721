// Two questions alignc asks before it removes something it may have left behind: does a path exist
// without following a link, and is a recorded process still alive (on this host).

import { lstatSync } from "node:fs";

/** Whether `p` exists as a name, a dangling or foreign symlink included (lstat, never followed). */
export function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Whether process `pid` exists on this host: signal 0 sends nothing; EPERM means it exists and is someone else's. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
