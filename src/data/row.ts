// A row as the readers give it: the parsed fields and where they stand in the file (1-based line,
// character offsets), so that a problem found later is reported as file:line with a span.
import type { ReaderKind } from "./readers.js";
import type { SkippedRows } from "./types.js";

export type Fields = Record<string, unknown>;

export interface Row {
  data: Fields;
  index: number; // 0-based row number within the file
  line: number; // 1-based line where the row starts
  start: number; // character offset where the row's first line starts (the row itself starts at `col`)
  end: number; // offset one past the row's last character (on its first line)
  col?: number; // 1-based column where the row starts, when not at the line's start (JSON arrays)
  element?: number; // index of the element in a JSON array file
  record?: number; // 0-based record of a Parquet file, which has no lines (its `line` is the record's number)
}

/** `element N: ` of a row of a JSON array file (its location's line:col alone does not say which),
 * `row N: ` of a Parquet file's (located at its record number, not a line), else "". */
export function rowElement(row: Pick<Row, "element" | "record">): string {
  return row.element !== undefined ? `element ${row.element}: ` : row.record !== undefined ? `row ${row.record + 1}: ` : "";
}

export interface RowSet {
  file: string;
  kind: ReaderKind;
  rows: Row[];
  /** lines left out under on_error = "skip" (JSON that does not parse, rows that are not objects) */
  skipped?: SkippedRows;
}
