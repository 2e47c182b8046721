// UTF-8 validation shared by the recipe reader (src/lang/read-file.ts) and the data readers
// (src/data/decode.ts): the offset of the first byte that is not valid UTF-8, so that an error can
// name its line and column instead of decoding it to U+FFFD without a word.

/** Offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= b.length) return i; // not a lead byte, or a sequence cut off by the end
    for (let k = 1; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    // overlongs and surrogates (E0 80–9F, ED A0–BF, F0 80–8F, F4 90+)
    const d = b[i + 1] ?? 0;
    if ((c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f) || (c === 0xf0 && d < 0x90) || (c === 0xf4 && d > 0x8f)) return i;
    i += n + 1;
  }
  return -1;
}

/** The 1-based line and column (in UTF-16 units, as the parser counts them) of byte `at` of valid-up-to-`at` UTF-8. */
export function utf8Position(b: Uint8Array, at: number): { line: number; col: number; lineStart: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) if (b[i] === 10) [line, lineStart] = [line + 1, i + 1];
  const col = Buffer.from(b.buffer, b.byteOffset + lineStart, at - lineStart).toString("utf8").length + 1;
  return { line, col, lineStart };
}
