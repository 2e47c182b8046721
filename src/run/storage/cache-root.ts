// The stage cache's folder must be a folder, or one that can be made, before a run makes its run
// folder. A `runs/.cache` that was a file made every `alignc run` leave one more `failed` run folder
// behind (its first node failed with ENOTDIR on the cache's lock folder), where bad input is refused
// before anything is written. Only the kind of path is checked, not write permission: a run whose
// every node is cached may read a shared cache it cannot write.
import { statSync } from "node:fs";
import { dirname } from "node:path";

/** Why `root` (absolute) cannot be the stage cache's folder, as "<root> is …", or null when it can. */
export function cacheRootProblem(root: string): string | null {
  for (let p = root; ; p = dirname(p)) {
    try {
      if (statSync(p).isDirectory()) return null; // root itself, or the folder it will be made in
      return p === root ? `${root} is a file, not a folder` : `${root} cannot be made: ${p} is a file, not a folder`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // missing, or under a file (ENOTDIR): the first path on the way up that exists says which
      if (code !== "ENOENT" && code !== "ENOTDIR") return `${root} cannot be read (${(err as Error).message})`;
    }
    if (dirname(p) === p) return null;
  }
}
