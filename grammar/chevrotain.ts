// The chevrotain API, loaded from the single-file minified ESM build the package ships
// (lib/chevrotain.min.mjs). Why: the package entry (lib/src/api.js) pulls in ~650 lodash-es modules,
// ~250 ms of ESM resolution on every `alignc check`; the bundle is the same code (same version) and
// loads in ~12 ms, and its minified form (140 KB instead of 350 KB) is ~10 M instructions less for
// V8 to scan at every start. The bundles are not in the package's "exports", so they are found next
// to the resolved entry; if neither is there the entry is used. Everything in alignc imports
// chevrotain through this module, so there is one instance (token types such as EOF are compared by
// identity).
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Chevrotain from "chevrotain";

async function load(): Promise<typeof Chevrotain> {
  const entry = createRequire(import.meta.url).resolve("chevrotain"); // …/chevrotain/lib/src/api.js
  for (const name of ["chevrotain.min.mjs", "chevrotain.mjs"]) {
    const bundle = new URL(`../${name}`, pathToFileURL(entry));
    if (existsSync(fileURLToPath(bundle))) return (await import(bundle.href)) as typeof Chevrotain;
  }
  return import("chevrotain");
}

const chevrotain = await load();
export const { createToken, Lexer, CstParser, EOF, generateCstDts, createSyntaxDiagramsCode } = chevrotain;
export type { CstNode, IParserConfig, ITokenConfig, IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from "chevrotain";
