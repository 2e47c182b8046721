// A task's `fields = { … }`: fields derived from each row before its templates render, so real data
// sets keep their own field names and labels (RTE's `label: "entailment"` becomes FLAN's
// `answer: "yes"`, BoolQ's `passage` its `text`). A field is a Handlebars template over the row, or
// a lookup `{ from = "label"  map = { entailment = "yes" … } }` (a list maps integer values 0, 1, …;
// a map's values may be integers, for promptsource templates that index answer_choices by label;
// its keys may be names, strings, numbers or true/false: `"Science/Tech" = 3`, `1 = "World"`). A
// derived field may read other derived fields: they are derived in dependency order, a cycle is an error.
import type { Span } from "../lang/ast.js";
import type { IRValue } from "../check/ir.js";
import { CODES, fail, rowSpan } from "./diag.js";
import { mappingTemplate } from "./demos.js";
import { fieldsOf } from "./flan/render.js";
import { placeholderProblem, type CompiledPart } from "./flan/template.js";
import type { Row, RowSet } from "./readers.js";
import type { BadRows } from "./bad-rows.js";

type Rule = { name: string; template: CompiledPart } | { name: string; from: string; map: Record<string, string | number> | string[] };

function rulesOf(fields: Record<string, IRValue>, rows: RowSet, site: { file: string; span?: Span }): Rule[] {
  // a derived field may read the row's fields and the other derived fields (ordered below)
  const known = new Set([...fieldsOf(rows.rows), ...Object.keys(fields)]);
  return Object.entries(fields).map(([name, v]): Rule => {
    if (typeof v === "string") return { name, template: mappingTemplate(v, `fields.${name}`, known, rows.file, site) };
    const rec = v as { from?: IRValue; map?: IRValue };
    const from = rec.from;
    const map = rec.map;
    if (typeof from !== "string" || map === null || typeof map !== "object" || (!Array.isArray(map) && Object.values(map).some((x) => typeof x !== "string" && typeof x !== "number")))
      fail(CODES.unsupported, `fields.${name}: write a template string or { from = "field"  map = { value = "text" … } }`, site.file, site.span ?? null);
    if (!known.has(from)) fail(CODES.templateField, `fields.${name} reads \`${from}\`, which is not a field of ${rows.file} (fields: ${[...known].sort().join(", ")})`, site.file, site.span ?? null);
    return { name, from, map: map as Record<string, string | number> | string[] };
  });
}

/** The derived fields a rule reads (a rule reading its own name reads the row's original field). */
function depsOf(rule: Rule, names: ReadonlySet<string>): string[] {
  const reads = "template" in rule ? rule.template.placeholders.map((p) => p.name) : [rule.from];
  return [...new Set(reads)].filter((n) => n !== rule.name && names.has(n));
}

/** Rules in dependency order (a field after the derived fields it reads); a cycle is a located error. */
export function orderRules<R extends Rule>(rules: readonly R[], site: { file: string; span?: Span }): R[] {
  const names = new Set(rules.map((r) => r.name));
  const byName = new Map(rules.map((r) => [r.name, r]));
  const out: R[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (r: R, path: string[]): void => {
    if (state.get(r.name) === "done") return;
    if (state.get(r.name) === "visiting") {
      const cycle = [...path.slice(path.indexOf(r.name)), r.name];
      fail(CODES.templateField, `fields: ${cycle.join(" → ")} read each other in a cycle; no order derives them`, site.file, site.span ?? null, "a derived field may read another derived field, but not one that (indirectly) reads it back");
    }
    state.set(r.name, "visiting");
    for (const d of depsOf(r, names)) visit(byName.get(d)!, [...path, r.name]);
    state.set(r.name, "done");
    out.push(r);
  };
  for (const r of rules) visit(r, []);
  return out;
}

function lookup(rule: Extract<Rule, { from: string }>, row: Row, file: string): string | number {
  const v = row.data[rule.from];
  const at = rowSpan(row.line, row.start, row.end, row.col);
  if (Array.isArray(rule.map)) {
    const i = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
    const out = Number.isInteger(i) ? rule.map[i] : undefined;
    if (out === undefined) fail(CODES.wrongType, `\`${rule.from}\` = ${JSON.stringify(v)} is not an index 0..${rule.map.length - 1} of fields.${rule.name}.map`, file, at);
    return out;
  }
  const key = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
  if (key === undefined || !Object.hasOwn(rule.map, key))
    fail(CODES.wrongType, `\`${rule.from}\` = ${JSON.stringify(v)} has no entry in fields.${rule.name}.map (entries: ${Object.keys(rule.map).join(", ")})`, file, at);
  return rule.map[key]!;
}

/** The rows with their derived fields added (a derived field replaces a field of the same name). */
export function deriveFields(rows: RowSet, fields: Record<string, IRValue>, site: { file: string; span?: Span }, bad?: BadRows): RowSet {
  // a file without rows is AL3005 where it is read: its fields are none, and AL3010 said the mapping was wrong
  if (rows.rows.length === 0) return rows;
  const rules = orderRules(rulesOf(fields, rows, site), site);
  const derive = (row: Row): Row => {
    const data = { ...row.data };
    for (const r of rules) {
      if ("template" in r) {
        for (const ph of r.template.placeholders) {
          const problem = placeholderProblem(ph, data);
          if (problem) fail(problem.code, `${problem.message} (read by fields.${r.name})`, rows.file, rowSpan(row.line, row.start, row.end, row.col));
        }
        data[r.name] = r.template.render(data);
      } else data[r.name] = lookup(r, { ...row, data }, rows.file);
    }
    return { ...row, data };
  };
  // a row whose lookup fails is a bad row (reported, or skipped under on_error = "skip")
  const out = bad ? rows.rows.flatMap((row) => bad.guard(row, () => [derive(row)]) ?? []) : rows.rows.map(derive);
  return { ...rows, rows: out };
}
