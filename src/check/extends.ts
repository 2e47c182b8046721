// Loading a recipe and resolving `recipe b extends "a.align" { policy.kl_coef = 0.05  seed = 3 }`:
// parse the base (relative to the variant), apply each override to the base's AST (replace or add
// the property), and append whatever else the variant declares. The result is one merged AST whose
// nodes remember the file they were written in, so a diagnostic on an inherited block names the base
// file and one on an override names the variant. A variant's budget line replaces the base's line
// for the same resource; its expect lines add to the base's.
import { InputFileError, READ_LIMITS, readRegularText } from "../lang/read-file.js";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { parseRecipe } from "../lang/parse.js";
import type { Assignment, BlockValue, Clause, Comparison, ConditionBlock, Declaration, Entry, RecipeFile, RecipeHeader, TopLevel, Value } from "../lang/ast.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { hasErrors } from "../lang/diagnostic.js";
import { COMPONENT_CLAUSES } from "./kinds.js";
import { kindSpec, branches, shapeOf } from "./schemas.js";
import { didYouMean } from "../common/did-you-mean.js";
import { renamedHint } from "./renamed.js";
import { resolveFromRecipe } from "./recipe-folder.js";

/** Recipes one `extends` chain may hold (the variant and its bases): far more than a chain of variants needs. */
export const MAX_EXTENDS_DEPTH = 64;

export interface LoadedRecipe {
  file: string; // as given
  absFile: string;
  ast: RecipeFile; // merged over every base
  baseAbsFile: string | null; // the recipe this one extends directly
  rootFile: string; // the file whose nodes are not tagged (the deepest base, or the file itself)
  fileOf: WeakMap<object, string>; // nodes written in another file than rootFile
  syntaxErrors: boolean; // some file of the chain has AL1 errors: semantic checks are skipped
}

export interface LoadEnv {
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
}

/** Every object node below `node` (spans excluded), for tagging a file's nodes with its name. */
function tagAll(node: unknown, file: string, into: WeakMap<object, string>): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const n of node) tagAll(n, file, into);
    return;
  }
  into.set(node, file);
  for (const [k, v] of Object.entries(node)) if (k !== "span" && typeof v === "object") tagAll(v, file, into);
}

/**
 * Parse `text` (or take the already-parsed `preParsed`) and resolve its `extends` chain.
 * null when the chain cannot be built (missing base, cycle): the diagnostics say why.
 */
export function loadRecipe(text: string, file: string, env: LoadEnv, chain: string[] = [], preParsed?: RecipeFile): LoadedRecipe | null {
  const absFile = resolve(file);
  env.sources.set(file, text);
  const parsed = preParsed ? { ast: preParsed, diagnostics: [] } : parseRecipe(text, file);
  for (const d of parsed.diagnostics) env.diagnostics.push(d);
  const ast = parsed.ast;
  const own: LoadedRecipe = {
    file,
    absFile,
    ast,
    baseAbsFile: null,
    rootFile: file,
    fileOf: new WeakMap(),
    syntaxErrors: hasErrors(parsed.diagnostics),
  };
  const header = ast.items.find((i): i is RecipeHeader => i.type === "RecipeHeader");
  if (!header?.extends) return own;

  const ext = header.extends;
  // as spelled from the recipe's own name where the links in its folder change nothing (messages and the
  // files named on the command line keep one spelling: a base checked beside its variant said its
  // warnings twice), else the real path (`../base.align` from a linked folder: recipe-folder.ts)
  const spelled = join(dirname(file), ext.value);
  const baseFile = isAbsolute(ext.value) ? ext.value : resolve(spelled) === resolveFromRecipe(file, ext.value) ? spelled : resolveFromRecipe(file, ext.value);
  const baseAbs = resolve(baseFile);
  const report = (code: string, node: { span: Diagnostic["span"] }, message: string, hint?: string): void => {
    env.diagnostics.push({ code, severity: "error", message, file, span: node.span, ...(hint ? { hint } : {}) });
  };
  if (baseAbs === absFile || chain.includes(baseAbs)) {
    const from = chain.indexOf(baseAbs);
    const loop = from >= 0 ? [...chain.slice(from), absFile, baseAbs] : [absFile, baseAbs];
    report("AL2030", ext, `\`extends\` cycle: ${loop.map((f) => f.split("/").pop()).join(" → ")}`);
    return null;
  }
  // each base is a recursive load: a chain thousands of files deep overflowed the stack (exit 70)
  if (chain.length + 1 >= MAX_EXTENDS_DEPTH) {
    report("AL2030", ext, `\`extends\` chain deeper than ${MAX_EXTENDS_DEPTH} recipes (${chain.length + 1} so far, from ${chain[0]?.split("/").pop() ?? file.split("/").pop()})`, "a variant extends its base, or a base's variant: flatten the chain");
    return null;
  }
  // A base is a recipe: refusing other files up front keeps a data file named by mistake (a
  // 100 KB corpus.txt) from being parsed as a recipe, a page of syntax errors and seconds of work.
  if (extname(baseFile) !== ".align") {
    report("AL2029", ext, `base recipe \`${ext.value}\` is not a recipe: \`extends\` takes a .align file`);
    return null;
  }
  let baseText: string;
  try {
    baseText = readRegularText(baseFile, READ_LIMITS.recipe, "base recipe");
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    report("AL2029", ext, `base recipe \`${ext.value}\`: ${err.message} (resolved to ${baseAbs})`);
    return null;
  }
  const base = loadRecipe(baseText, baseFile, env, [...chain, absFile]);
  if (!base) return null;

  // from here on, this file's nodes are tagged: the merged AST is mostly the base's
  tagAll(ast, file, base.fileOf);
  const merged: LoadedRecipe = { ...own, ast: base.ast, baseAbsFile: baseAbs, rootFile: base.rootFile, fileOf: base.fileOf, syntaxErrors: own.syntaxErrors || base.syntaxErrors };
  if (merged.syntaxErrors) return merged;
  applyOverrides(merged, base.ast, header, ast, report);
  return merged;
}

type Report = (code: string, node: { span: Diagnostic["span"] }, message: string, hint?: string) => void;

function applyOverrides(merged: LoadedRecipe, baseAst: RecipeFile, header: RecipeHeader, variant: RecipeFile, report: Report): void {
  const blocks = new Map<string, Declaration>();
  for (const item of baseAst.items) if (item.type === "Declaration" && !blocks.has(item.name.name)) blocks.set(item.name.name, item);
  const baseHeader = baseAst.items.find((i): i is RecipeHeader => i.type === "RecipeHeader");

  // The merged header: the variant's name and extends, the base's properties with the variant's overriding them.
  const headerEntries: Entry[] = baseHeader ? [...baseHeader.body.entries] : [];
  for (const e of header.body.entries) {
    if (e.type !== "Assignment") {
      report("AL2032", e, `\`${e.name.name}: …\` is a mixture component; in an \`extends\` header write \`block.property = value\``);
      continue;
    }
    const [first, second, third, ...rest] = e.path;
    if (!first) continue;
    if (!second) {
      setEntry(headerEntries, e); // an unknown header property is reported by the header check
      continue;
    }
    const decl = blocks.get(first.name);
    if (!decl) {
      report("AL2031", first, `\`${first.name}\` is not declared in the base recipe`, didYouMean(first.name, blocks.keys()));
      continue;
    }
    if (rest.length > 0) {
      report("AL2032", rest[0]!, `override paths have at most three parts: \`block.property.sub\``);
      continue;
    }
    const body = (decl.body ??= { type: "Block", entries: [], span: decl.span });
    const spec = kindSpec(decl.keyword.name, decl.kind.name);
    const component = body.entries.find((c) => c.type === "Component" && c.name.name === second.name);
    if (component && component.type === "Component") {
      if (!third) {
        report("AL2032", second, `\`${second.name}\` is a mixture component: override one clause, e.g. \`${first.name}.${second.name}.cap = 100\``);
        continue;
      }
      if (!Object.hasOwn(COMPONENT_CLAUSES, third.name)) {
        report("AL2027", third, `unknown mixture clause \`${third.name}\``, didYouMean(third.name, Object.keys(COMPONENT_CLAUSES)));
        continue;
      }
      const clause: Clause = { type: "Clause", name: third, arg: e.value, span: e.span };
      merged.fileOf.set(clause, merged.file);
      const at = component.clauses.findIndex((c) => c.name.name === third.name);
      if (at >= 0) component.clauses[at] = clause;
      else component.clauses.push(clause);
      continue;
    }
    if (spec && !Object.hasOwn(spec.props, second.name)) {
      report("AL2004", second, `\`${decl.kind.name}\` has no property \`${second.name}\``, renamedHint(decl.keyword.name, second.name) ?? didYouMean(second.name, Object.keys(spec.props)));
      continue;
    }
    if (!third) {
      const entry: Assignment = { type: "Assignment", path: [second], value: e.value, span: e.span };
      merged.fileOf.set(entry, merged.file);
      setEntry(body.entries, entry);
      continue;
    }
    // block.prop.sub: the property must hold a nested block
    const propSchema = spec?.props[second.name];
    if (propSchema && !branches(propSchema).some((b) => shapeOf(b) === "object")) {
      report("AL2032", third, `\`${first.name}.${second.name}\` is not a block: write \`${first.name}.${second.name} = …\``);
      continue;
    }
    const holder = body.entries.find((x): x is Assignment => x.type === "Assignment" && x.path.length === 1 && x.path[0]!.name === second.name);
    const nested: BlockValue = holder && holder.value.type === "Block" ? holder.value : { type: "Block", entries: [], span: e.span };
    const entry: Assignment = { type: "Assignment", path: [third], value: e.value, span: e.span };
    merged.fileOf.set(entry, merged.file);
    setEntry(nested.entries, entry);
    if (!holder || holder.value !== nested) {
      const wrapped: Assignment = { type: "Assignment", path: [second], value: nested as Value, span: e.span };
      merged.fileOf.set(wrapped, merged.file);
      merged.fileOf.set(nested, merged.file);
      setEntry(body.entries, wrapped);
    }
  }

  const mergedHeader: RecipeHeader = { ...header, body: { ...header.body, entries: headerEntries } };
  merged.fileOf.set(mergedHeader, merged.file);
  merged.fileOf.set(mergedHeader.body, merged.file);
  const extra = variant.items.filter((i) => i !== header);
  const items = withoutBudgetsOf(extra, baseAst.items.filter((i) => i.type !== "RecipeHeader" || i !== baseHeader), merged.fileOf);
  merged.ast = { ...baseAst, items: [mergedHeader, ...items.filter((i) => i.type !== "RecipeHeader"), ...extra] };
  // a second header in the base is still an error to report, in the base file
  for (const i of baseAst.items) if (i.type === "RecipeHeader" && i !== baseHeader) merged.ast.items.push(i);
}

/** The name a budget line limits (`time <= 20m` → "time"); undefined for a malformed line, which the checker reports. */
function budgetLineName(c: Comparison): string | undefined {
  return c.left.type === "Ref" && c.left.path.length === 1 ? c.left.path[0]!.name : undefined;
}

/**
 * The base's items with every budget line dropped that the variant's own `budget` blocks limit
 * again: a variant's `budget { time <= 20m }` replaces the base's `time <= 10m` (the base's
 * `memory <= 4GiB` still holds), as `block.prop = v` replaces one property and keeps the others.
 * Budgets are upper bounds on one resource each, so both holding would make the variant's looser
 * limit dead text. `expect` lines are not merged this way: they add gates (every one holds).
 */
function withoutBudgetsOf(variantItems: TopLevel[], baseItems: TopLevel[], fileOf: WeakMap<object, string>): TopLevel[] {
  const limited = new Set<string>();
  for (const i of variantItems)
    if (i.type === "Conditions" && i.keyword === "budget")
      for (const c of i.items) {
        const name = budgetLineName(c);
        if (name !== undefined) limited.add(name);
      }
  if (limited.size === 0) return baseItems;
  const out: TopLevel[] = [];
  for (const i of baseItems) {
    if (i.type !== "Conditions" || i.keyword !== "budget") {
      out.push(i);
      continue;
    }
    const kept = i.items.filter((c) => !limited.has(budgetLineName(c) ?? ""));
    if (kept.length === i.items.length) out.push(i);
    else if (kept.length > 0) {
      const trimmed: ConditionBlock = { ...i, items: kept };
      const file = fileOf.get(i); // a block from a middle file of the chain keeps naming that file
      if (file !== undefined) fileOf.set(trimmed, file);
      out.push(trimmed);
    }
  }
  return out;
}

/** Replace the entry with the same single-part name, or append. */
function setEntry(entries: Entry[], entry: Assignment): void {
  const name = entry.path[0]!.name;
  const at = entries.findIndex((x) => x.type === "Assignment" && x.path.length === 1 && x.path[0]!.name === name);
  if (at >= 0) entries[at] = entry;
  else entries.push(entry);
}
