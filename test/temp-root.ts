// Loaded into every test file's process by `npm test` (node --test --import): the file's temporary
// folders, and those of the alignc processes it spawns (they inherit TMPDIR), go under one folder
// of its own, removed when the process exits. Tests make folders with mkdtempSync(tmpdir()) and
// most never removed them: a few hundred were left in the system's temp folder on every run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = mkdtempSync(join(tmpdir(), "alignc-test-"));
// os.tmpdir() reads TMPDIR on POSIX and TEMP / TMP on Windows, on every call
process.env.TMPDIR = process.env.TEMP = process.env.TMP = root;
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

// Tests spawn alignc with [...process.execArgv, …], often from another working folder where this
// relative --import does not resolve; they inherit TMPDIR, so they need not load this file again.
for (let i = process.execArgv.length - 1; i >= 0; i--) {
  const a = process.execArgv[i]!;
  if (a === "--import" && /temp-root\.js$/.test(process.execArgv[i + 1] ?? "")) process.execArgv.splice(i, 2);
  else if (/^--import=.*temp-root\.js$/.test(a)) process.execArgv.splice(i, 1);
}
