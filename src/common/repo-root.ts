// Where alignc itself lives: the folder holding its package.json, found upwards from this module so
// that it works from src/ (under tsx) and from dist/src/ alike, and the version that file names.
// The one copy: the demo-data generator, the export schemas' default folder, the plan engine's
// version, run manifests and `alignc --version` all read it here.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface PackageJson {
  name?: string;
  version?: string;
}

let found: { root: string; version: string } | undefined;

function find(): { root: string; version: string } {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, "package.json");
    if (existsSync(p)) {
      // by name: a package.json of something else (a fixture, a parent project) is passed by
      const pkg = JSON.parse(readFileSync(p, "utf8")) as PackageJson;
      if (pkg.name === "alignc" && pkg.version) return (found = { root: dir, version: pkg.version });
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("alignc: cannot find its package.json");
    dir = up;
  }
}

/** The folder of alignc's package.json (the repository root in a checkout). */
export function repoRoot(): string {
  return find().root;
}

/** alignc's version, from its package.json. */
export function alignVersion(): string {
  return find().version;
}
