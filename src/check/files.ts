// Does a referenced path exist, and is it a file or a folder? A FLAN-scale recipe names thousands of
// files in a few folders, so each folder is listed once (readdir with types) instead of one stat per
// path; symbolic links and unlistable folders fall back to stat.
import { readdirSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";

/** "special": a device, FIFO or socket, which alignc refuses to read (it may never end); "loop": a
 *  symbolic link that leads back to itself (ELOOP), which names nothing alignc could read */
export type PathType = "file" | "dir" | "special" | "missing" | "loop" | "unreadable";

export class FileTypes {
  private readonly listings = new Map<string, Map<string, Exclude<PathType, "missing"> | "link"> | null>();

  typeOf(abs: string): PathType {
    // no file name holds a NUL (the fs calls would throw on it): such a path names nothing
    if (abs.includes("\0")) return "missing";
    const parent = dirname(abs);
    let listing = this.listings.get(parent);
    if (listing === undefined) {
      listing = list(parent);
      this.listings.set(parent, listing);
    }
    const t = listing?.get(basename(abs));
    if (listing && t === undefined && parent !== abs) return "missing";
    if (t === "file" || t === "dir" || t === "special") return t;
    return statType(abs); // a link, the root, or a folder we could not list
  }
}

function list(dir: string): Map<string, Exclude<PathType, "missing"> | "link"> | null {
  try {
    const m = new Map<string, Exclude<PathType, "missing"> | "link">();
    for (const e of readdirSync(dir, { withFileTypes: true })) m.set(e.name, e.isDirectory() ? "dir" : e.isSymbolicLink() ? "link" : e.isFile() ? "file" : "special");
    return m;
  } catch {
    return null;
  }
}

function statType(abs: string): PathType {
  let st;
  try {
    st = statSync(abs, { throwIfNoEntry: false });
  } catch (e) {
    // throwIfNoEntry covers ENOENT only: a symlink loop (ELOOP), a file used as a folder on the way
    // (`data.jsonl/x`, ENOTDIR) or a name too long for the file system threw out of the checker (exit 70)
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return "loop";
    if (code === "ENOTDIR" || code === "ENAMETOOLONG") return "missing";
    return "unreadable"; // EACCES on a folder on the way, EIO: the checker says so at the path
  }
  return !st ? "missing" : st.isDirectory() ? "dir" : st.isFile() ? "file" : "special";
}
