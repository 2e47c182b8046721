// Writing an export folder: all or nothing. Files go to a sibling temp folder first; only when every
// file is written does it replace the output folder, so an interrupted export never leaves a folder
// that mixes two exports (or half of one).
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";
import type { ExportFile } from "./types.js";

export class ExportWriteError extends Error {}

/** Replace `outDir` with exactly `files`. Refuses a non-empty folder that is not an earlier export. */
export function writeExportDir(outDir: string, files: readonly ExportFile[]): void {
  const out = resolve(outDir);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new ExportWriteError(`${outDir} exists and is not a folder`);
    const entries = readdirSync(out);
    if (entries.length && !entries.includes("EXPORT.md"))
      throw new ExportWriteError(`${outDir} is not empty and holds no EXPORT.md: alignc replaces only its own export folders`);
  }
  mkdirSync(dirname(out), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${tag}`);
  try {
    for (const f of files) {
      if (f.path.split("/").some((p) => p === ".." || p === "") || f.path.startsWith("/")) throw new ExportWriteError(`bad export path ${f.path}`);
      const p = join(tmp, ...f.path.split("/"));
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.content);
      if (f.path.endsWith(".sh")) chmodSync(p, 0o755);
    }
    if (existsSync(out)) {
      const old = join(dirname(out), `.${basename(out)}.old-${tag}`);
      renameSync(out, old);
      renameSync(tmp, out);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
