// `mkdir -p` without Node's `mkdirSync(…, { recursive: true })`, which spins forever on a path it
// cannot create under /proc (`XDG_CACHE_HOME=/proc/1/nope` hung every command that writes a cache:
// Node 20/22 retry the ENOENT that procfs answers). The folders are created one by one from the
// deepest one that exists, so such a path fails at once with the errno of the failing step.
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Creates `path` and its missing parents (existing folders are fine); throws the failing step's error. */
export function makeDirs(path: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; ) {
    try {
      if (statSync(p).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), { code: "ENOTDIR", path: p, syscall: "mkdir" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      // another process made it in between: what was wanted
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || !statSync(d).isDirectory()) throw err;
    }
  }
}
