// A row's fields read as what a reader of them needs (a string, a list), or a located error naming the
// row: the one place a missing or mistyped field is reported.
import { CODES, fail, rowSpan } from "./diag.js";
import { rowElement, type Row } from "./row.js";

/** A value's kind in words, for messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** A row's field as a string: strings as they are, numbers and booleans printed; else a located error. */
export function fieldString(row: Row, field: string, file: string, opts: { optional?: boolean } = {}): string {
  const v = row.data[field];
  // a Parquet row's location is its record number, not a line: said in words too ("row N: …")
  const at = row.record !== undefined ? rowElement(row) : "";
  if (v === undefined || v === null) {
    if (opts.optional) return "";
    // a null is there: "missing", with the field among those present, contradicted itself (hunt37)
    if (v === null) fail(CODES.wrongType, `${at}field \`${field}\` is null; a string is needed`, file, rowSpan(row.line, row.start, row.end, row.col));
    fail(CODES.missingField, `${at}missing field \`${field}\``, file, rowSpan(row.line, row.start, row.end, row.col), `fields present: ${Object.keys(row.data).join(", ") || "none"}`);
  }
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  fail(CODES.wrongType, `${at}field \`${field}\` must be a string, got ${describe(v)}`, file, rowSpan(row.line, row.start, row.end, row.col));
}

/** A row's field as an array; a located error otherwise. */
export function fieldArray(row: Row, field: string, file: string): unknown[] {
  const v = row.data[field];
  if (v === undefined) fail(CODES.missingField, `missing field \`${field}\``, file, rowSpan(row.line, row.start, row.end, row.col), `fields present: ${Object.keys(row.data).join(", ")}`);
  if (!Array.isArray(v)) fail(CODES.wrongType, `field \`${field}\` must be an array, got ${describe(v)}`, file, rowSpan(row.line, row.start, row.end, row.col));
  return v;
}
