// Two questions alignc asks before it removes something it may have left behind: does a path exist
// without following a link, and is a recorded process still alive (on this host).

import { lstatSync, readlinkSync, statSync } from "node:fs";

/** Whether `p` exists as a name, a dangling or foreign symlink included (lstat, never followed). */
export function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Why an input the user named cannot be found, for "alignc CMD: PATH: <why>": "no such file", or
 * what the name is when it exists but leads nowhere (a dangling link, a link loop), which "no such
 * file" hid while `ls` shows the name. */
export function missingReason(p: string): string {
  if (!lexists(p)) return "no such file";
  try {
    statSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP") return "a symbolic link that leads back to itself (a loop)";
    try {
      return `a symbolic link to ${readlinkSync(p)}, which does not exist`;
    } catch {
      return "no such file";
    }
  }
  return "no such file";
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
