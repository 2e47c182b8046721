// Numbers a JSON data file holds that a double cannot: read as Infinity or as a rounded integer, they
// would change a prompt or a label silently. The readers (readers.ts) make such a row a bad row.

/** What a row with such a number is told to do. */
export const NUMBER_HINT = "quote it in the file (\"12345678901234567890\"): a string is read as written";

/**
 * The first number of a parsed row that JSON.parse could not keep as written, described; null if none.
 * A double holds integers exactly only up to 2^53 and no magnitude past ~1.8e308: `1e999` became
 * Infinity and a 30-digit id `1.2345678901234568e+29` in a prompt, silently. Nested lists and objects
 * are walked (K responses, OASST conversations), a few levels deep.
 */
export function inexactNumber(v: unknown, path = "", depth = 0): string | null {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return `${path || "a value"} is past the largest number JSON reads (it would be ${v})`;
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) return `${path || "a value"} has more digits than a number keeps (it would be ${v})`;
    return null;
  }
  if (v === null || typeof v !== "object" || depth > 8) return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = inexactNumber(v[i], `${path}[${i}]`, depth + 1);
      if (r) return r;
    }
    return null;
  }
  for (const [k, x] of Object.entries(v)) {
    const r = inexactNumber(x, path ? `${path}.${k}` : `\`${k}\``, depth + 1);
    if (r) return r;
  }
  return null;
}
