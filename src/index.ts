// The library entry: `import { compile, run } from "alignc"`. Each area re-exports its public API here.
export type * from "./lang/ast.js";
export type { Diagnostic, Severity } from "./lang/diagnostic.js";
export type * from "./check/ir.js";
export { parseRecipe } from "./lang/parse.js";
export { printRecipe } from "./lang/print.js";
export { renderDiagnostics, diagnosticsJson } from "./lang/render.js";
export { SYNTAX_CODES } from "./lang/codes.js";
