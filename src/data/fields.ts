// A task's `fields = { … }`: fields derived from each row before its templates render, so real data
// sets keep their own field names and labels (RTE's `label: "entailment"` becomes FLAN's
// `answer: "yes"`, BoolQ's `passage` its `text`). A field is a Handlebars template over the row, or
// a lookup `{ from = "label"  map = { entailment = "yes" … } }` (a list maps integer values 0, 1, …;
// a map's values may be integers, for promptsource templates that index answer_choices by label).
import type { Span } from "../lang/ast.js";
import type { IRValue } from "../check/ir.js";
import { CODES, fail, rowSpan } from "./diag.js";
import { mappingTemplate } from "./demos.js";
import { fieldsOf } from "./flan/render.js";
import type { CompiledPart } from "./flan/template.js";
import type { Row, RowSet } from "./readers.js";

type Rule = { name: string; template: CompiledPart } | { name: string; from: string; map: Record<string, string | number> | string[] };

function rulesOf(fields: Record<string, IRValue>, rows: RowSet, site: { file: string; span?: Span }): Rule[] {
  const known = fieldsOf(rows.rows);
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

function lookup(rule: Extract<Rule, { from: string }>, row: Row, file: string): string | number {
  const v = row.data[rule.from];
  const at = rowSpan(row.line, row.start, row.end);
  if (Array.isArray(rule.map)) {
    const i = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
    const out = Number.isInteger(i) ? rule.map[i] : undefined;
    if (out === undefined) fail(CODES.wrongType, `${file}:${row.line}: \`${rule.from}\` = ${JSON.stringify(v)} is not an index 0..${rule.map.length - 1} of fields.${rule.name}.map`, file, at);
    return out;
  }
  const key = typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
  if (key === undefined || !Object.hasOwn(rule.map, key))
    fail(CODES.wrongType, `${file}:${row.line}: \`${rule.from}\` = ${JSON.stringify(v)} has no entry in fields.${rule.name}.map (entries: ${Object.keys(rule.map).join(", ")})`, file, at);
  return rule.map[key]!;
}

/** The rows with their derived fields added (a derived field replaces a field of the same name). */
export function deriveFields(rows: RowSet, fields: Record<string, IRValue>, site: { file: string; span?: Span }): RowSet {
  const rules = rulesOf(fields, rows, site);
  const out = rows.rows.map((row): Row => {
    const data = { ...row.data };
    for (const r of rules) {
      if ("template" in r) {
        for (const ph of r.template.placeholders) {
          const v = row.data[ph.name];
          if (!ph.optional && (v === undefined || v === null))
            fail(CODES.missingField, `${rows.file}:${row.line}: missing field \`${ph.name}\` (read by fields.${r.name})`, rows.file, rowSpan(row.line, row.start, row.end));
        }
        data[r.name] = r.template.render(row.data);
      } else data[r.name] = lookup(r, row, rows.file);
    }
    return { ...row, data };
  });
  return { ...rows, rows: out };
}
