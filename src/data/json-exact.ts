// JSON numbers a double cannot hold, read as their text. JSON.parse turns an id like
// 12345678901234567890 into 12345678901234567000 and 1e999 into Infinity, and a template then renders
// digits the file never had. A published file must load as it is: such a number is read as the string
// of its digits, exactly as written (a field that must be a number, a rank or a score, then says it
// got a string, at its row). Integers that print back as written (every one up to 2^53, and any a
// JavaScript double printed) and every other number a double holds without overflow or underflow are
// left as numbers, decimals inexact only by binary rounding included (0.10000000000000001 is the double
// 0.1: a number, as every JSON reader reads it).

/** Cheap test first: a number a double cannot hold has 16+ digits in a row, or a 3-digit exponent. */
const MAYBE_INEXACT = /[\d.]{16,}|[eE][+-]?\d{3}/;

/** `JSON.parse`, with every number a double cannot hold read as its text (see above). */
export function parseJsonExact(text: string): unknown {
  const data: unknown = JSON.parse(text);
  if (!MAYBE_INEXACT.test(text)) return data;
  const spans = inexactNumbers(text);
  if (spans.length === 0) return data;
  let out = "";
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + JSON.stringify(text.slice(start, end));
    at = end;
  }
  return JSON.parse(out + text.slice(at));
}

/** [start, end) of each number token of valid JSON `text` that a double does not hold exactly. */
export function inexactNumbers(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      if (!holdsExactly(text.slice(i, j))) out.push([i, j]);
      i = j - 1;
    }
  }
  return out;
}

/**
 * Whether the double a JSON number token reads as keeps it. An integer (no fraction, no exponent) must
 * print back digit for digit, as a template renders it (9007199254740993 prints 9007199254740992; a
 * double that JavaScript itself wrote, -40786969119835290, prints as written); other numbers only must
 * not overflow to ±Infinity or underflow to 0.
 */
export function holdsExactly(token: string): boolean {
  const v = Number(token);
  if (!Number.isFinite(v)) return false;
  if (/^-?\d+$/.test(token)) return v === 0 || String(v) === token;
  return v !== 0 || !/[1-9]/.test(token.replace(/[eE].*$/, ""));
}
