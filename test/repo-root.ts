// The repository root for tests and benchmarks, from source (test/…) or compiled (dist/test/…).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The nearest folder above this file with package.json and recipes/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "recipes"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("no repository root above the test");
    dir = up;
  }
  return dir;
}
