// A text source's `pattern` (kinds.ts): a published line format read as it is, each line's named
// groups its fields (SST-2's `<0|1> <sentence>` lines).
import { clip, type BadRows } from "./bad-rows.js";
import { CODES, fail, rowSpan } from "./diag.js";
import type { Fields, Row } from "./row.js";

/** The RegExp of a text source's `pattern` (the checker compiled it already: AL2042). */
export function linePattern(pattern: string): RegExp {
  return new RegExp(pattern, "u");
}

/**
 * Text lines (readTextLines' rows, `{ text }`) matched by a pattern (`pattern = "^(?<label>[01]) (?<sentence>.*)$"`, SST-2's `<0|1>
 * <sentence>` lines as published): each non-blank line's named groups are its fields (a group that
 * matched nothing is absent). A line the pattern does not match is a bad row at file:line, under
 * the source's `on_error`: a file is never silently smaller than it looks.
 */
export function matchLines(lines: readonly Row[], pattern: string, opts: { file: string; limit?: number; bad: BadRows }): Row[] {
  const { file } = opts;
  const re = linePattern(pattern);
  const rows: Row[] = [];
  for (const r of lines) {
    if (opts.limit !== undefined && rows.length >= opts.limit) break;
    const row = opts.bad.guard(r, () => {
      const text = r.data.text as string;
      const m = re.exec(text);
      if (!m) fail(CODES.brokenLine, `the line does not match the source's pattern ${JSON.stringify(pattern)}: ${JSON.stringify(clip(text, 80))}`, file, rowSpan(r.line, r.start, r.end));
      const data: Fields = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) data[k] = v;
      return { ...r, data, index: rows.length };
    });
    if (row) rows.push(row);
  }
  return rows;
}
