// Two questions alignc asks before it removes something it may have left behind: does a path exist
// without following a link, and is a recorded process still alive (on this host).

import { lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { specialKind } from "../lang/read-file.js";

/** What an existing input is when it is neither a regular file nor a folder (a FIFO, a socket, a device),
 * else null: a usage error in every command that is named one (src/cli/main.ts, `label --stats`). */
export function specialInput(p: string): string | null {
  const st = statSync(p);
  return st.isFile() || st.isDirectory() ? null : specialKind(st);
}

/** Whether `p` is a regular file itself (a link to one is not; false when it is gone). */
export function isPlainFile(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
}

/** Whether `p` exists as a name, a dangling or foreign symlink included (lstat, never followed). */
/** A folder itself, not a link to one. */
export function isRealDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

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
  // `r.align/` names a folder: where `r.align` is a file, that is what to say (huntH42 L3: "no such file")
  const bare = p.replace(/\/+$/, "");
  if (bare !== p && bare !== "" && lexists(bare) && !lexists(p)) return `a trailing / names a folder, and ${bare} is a file: name it without the /`;
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

/**
 * When process `pid` started, as this host's kernel counts it (Linux: field 22 of /proc/PID/stat, clock
 * ticks since boot), or null where that cannot be read (another OS, no /proc, the process is gone).
 * Recorded beside a pid, it tells the process from a later one that was given the same pid.
 */
export function processStart(pid: number): string | null {
  const start = statFields(pid)?.[19]; // field 22 overall; fields[0] is field 3 (state)
  return start !== undefined && /^\d+$/.test(start) ? start : null;
}

/** /proc/PID/stat's fields from the state on (field 3 overall), or null where it cannot be read. */
function statFields(pid: number): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so fields are counted after the last ")"
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Whether the process recorded as (`pid`, `start`) still runs on this host: its pid exists, it has not
 * exited (a zombie, state Z or X, is a killed process its parent has not reaped yet: it held a lock
 * forever in a container without an init; huntD39 M1), and, where a start time was recorded and can be
 * read, it is the same process, not a later one given its pid. */
export function processAlive(pid: number, start?: string | null): boolean {
  if (!pidAlive(pid)) return false;
  const state = statFields(pid)?.[0];
  if (state === "Z" || state === "X") return false;
  if (start === undefined || start === null) return true;
  const now = processStart(pid);
  return now === null || now === start;
}

/** A process's standard streams and descriptors, by the names Linux gives them. */
const STREAM_NAME = /^\/dev\/(stdin|stdout|stderr|fd\/\d+)$|^\/proc\/(self|thread-self|\d+)\/fd\/\d+$/;

/**
 * The stream or descriptor a path names, directly or through symbolic links (`/dev/stdin`, `//dev/./stdin`,
 * `/dev/fd/0`, `/proc/self/fd/1`, a link to one), else null: what it reaches is whatever the shell opened
 * (`< r.align`, `> out.jsonl`), not a file the user named. Read before following the links, whose chain ends
 * in that file (`fmt /dev/stdin < r.align` rewrote r.align; a regex on the name missed its other spellings:
 * review38 M2).
 */
export function streamPath(path: string): string | null {
  let p = resolve(path);
  for (let hop = 0; hop < 40; hop++) {
    if (STREAM_NAME.test(p)) return p;
    let link: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) return null;
      link = readlinkSync(p);
    } catch {
      return null;
    }
    p = resolve(dirname(p), link);
  }
  return null;
}

/** `p` with every link resolved; for a path that does not exist yet (a new export), its nearest existing
 * folder's real path with the rest appended, so `lnk/new.hbs` with `lnk` a link to a folder a recipe
 * reads is seen inside that folder (resolve() alone kept `lnk`, and an export wrote a template there:
 * huntH42 F2). */
export function realPathOrNearest(p: string): string {
  let head = resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...rest);
    } catch {
      const up = dirname(head);
      if (up === head) return resolve(p);
      rest.unshift(basename(head));
      head = up;
    }
  }
}
