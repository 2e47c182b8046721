// The values of string literals: `"…"` with its escapes undone (a bad escape is a build problem at
// its own column) and `"""…"""` with its layout normalised.
import type { Span } from "./ast.js";
import type { BuildProblem } from "./build.js";
import { minOf } from "../common/arrays.js";

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };

/** Undo the escapes of a `"…"` literal (closing quote missing when `closed` is false: parse.ts
 * reports that); reports each bad escape at its own column. */
export function unescapeString(raw: string, closed: boolean, at: Span, problems: BuildProblem[]): string {
  const body = raw.slice(1, closed ? -1 : raw.length);
  if (!body.includes("\\")) return body; // the common case: nothing to undo
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = body[i + 1];
    if (next !== undefined && next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i++;
      continue;
    }
    const m = next === "u" ? /^u\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1)) : null;
    const cp = m ? parseInt(m[1]!, 16) : NaN;
    // a surrogate (D800–DFFF) is half of a UTF-16 pair, not a character: alone it became text that
    // UTF-8 cannot hold (written out as U+FFFD, hashed alike for every surrogate)
    const surrogate = cp >= 0xd800 && cp <= 0xdfff;
    if (m && cp <= 0x10ffff && !surrogate) {
      out += String.fromCodePoint(cp);
      i += m[0].length;
      continue;
    }
    const len = m ? m[0].length + 1 : next === undefined ? 1 : 2;
    const start = at.start + 1 + i;
    const col = at.col + 1 + i;
    problems.push({
      code: "AL1005",
      message: `invalid escape sequence \`${body.slice(i, i + len)}\` in a string`,
      span: { start, end: start + len, line: at.line, col, endLine: at.line, endCol: col + len },
      hint: surrogate
        ? "\\u{D800}–\\u{DFFF} are UTF-16 surrogates, not characters: write the character's own code point (\\u{1F600}, not its surrogate pair)"
        : "valid escapes: \\n \\t \\r \\\" \\\\ \\u{1F600}; write \\\\ for a backslash",
    });
    out += body.slice(i, i + len);
    i += len - 1;
  }
  return out;
}

/**
 * The value of a `"""…"""` literal: the newline right after the opening quotes is dropped, a last line
 * holding only spaces before the closing quotes is dropped, and the indentation common to the
 * non-blank lines is removed. No escapes: the text is taken as written.
 */
export function tripleStringValue(raw: string, closed = true): string {
  let body = raw.slice(3, closed ? -3 : raw.length).replace(/\r\n/g, "\n");
  if (body.startsWith("\n")) body = body.slice(1);
  const lines = body.split("\n");
  if (lines.length > 1 && /^[ \t]*$/.test(lines[lines.length - 1]!)) lines.pop();
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0].length);
  const common = indents.length ? minOf(indents) : 0;
  return lines.map((l) => (l.trim() === "" ? "" : l.slice(common))).join("\n");
}
