// `npm run generate`: regenerates generated/cst.d.ts (CST node types for src/lang/build.ts) and
// grammar/diagrams.html (railroad diagrams of every rule, self-contained) from grammar/parser.ts.
// Writes are atomic (temp file + rename) so a failed run never leaves half a file behind.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cstDts, diagramsHtml } from "./artifacts.js";
import { AlignParser } from "./parser.js";

function repoRoot(): string {
  // Runs from grammar/ (tsx) or dist/grammar/ (compiled): the root is the folder holding package.json.
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join("dist", "grammar")) ? resolve(here, "../..") : resolve(here, "..");
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const parser = new AlignParser();
const root = repoRoot();
writeAtomic(join(root, "generated", "cst.d.ts"), cstDts(parser));
writeAtomic(join(root, "grammar", "diagrams.html"), diagramsHtml(parser));
console.log("wrote generated/cst.d.ts and grammar/diagrams.html");
