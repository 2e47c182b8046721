// Counting a data file's rows without parsing them (plan sizes, `alignc data --stats`): newlines for
// JSONL and text, streamed when large; a parse for the other readers.
import { createReadStream, readFileSync, statSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { CODES, fail } from "./diag.js";
import { gzipBytes, isGzipFile } from "./gunzip.js";
import { checkFile, readRows, type ReaderKind } from "./readers.js";
import { countParquetRows } from "./parquet.js";

/** Files up to this size are counted from one synchronous read: a stream costs ~0.5 ms of setup per
 * file, which dominated sizing a FLAN-scale recipe (1,836 small files). */
const WHOLE_READ_BYTES = 1 << 20;

/** Count data rows without parsing them: newlines for JSONL/text (streamed when large), parse for the rest. */
export async function countRows(file: string, kind: ReaderKind, encoding?: string): Promise<number> {
  checkFile(file);
  if (kind === "parquet") return countParquetRows(file); // its footer says
  const st = statSync(file);
  // newline bytes count lines in UTF-8 and the ASCII-compatible encodings; UTF-16 is read as rows
  if ((kind === "jsonl" || kind === "text") && !encoding?.startsWith("utf-16")) {
    let n = 0;
    let lineHasContent = false;
    let afterCR = false; // the last chunk ended in `\r`: a `\n` opening this one ends no line of its own
    const blank = (b: number) => b === 32 || b === 9;
    const count = (chunk: Buffer): void => {
      // jump between line breaks natively (`\n`, `\r\n` or a lone `\r`, as the readers split lines);
      // a line's content is usually decided by its first byte. The next `\r` is found once per chunk
      // position past it: searching it from every line would scan a file without one quadratically
      let pos = afterCR && chunk[0] === 10 ? 1 : 0;
      afterCR = false;
      let cr = chunk.indexOf(13, pos);
      for (;;) {
        if (cr >= 0 && cr < pos) cr = chunk.indexOf(13, pos);
        const nl = chunk.indexOf(10, pos);
        const brk = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
        const end = brk < 0 ? chunk.length : brk;
        for (let i = pos; i < end && !lineHasContent; i++) if (!blank(chunk[i]!)) lineHasContent = true;
        if (brk < 0) break;
        if (lineHasContent) n++;
        lineHasContent = false;
        pos = brk + 1;
        if (chunk[brk] === 13) {
          if (pos === chunk.length) afterCR = true;
          else if (chunk[pos] === 10) pos++;
        }
      }
    };
    const small = st.size <= WHOLE_READ_BYTES ? readFileSync(file) : null;
    const gz = small ? gzipBytes(small) : isGzipFile(file);
    if (small && !gz) count(small);
    else {
      const raw = createReadStream(file);
      try {
        for await (const chunk of (gz ? raw.pipe(createGunzip()) : raw) as AsyncIterable<Buffer>) count(chunk);
      } catch (err) {
        // a truncated or corrupt .gz: an error of the data, located at the file
        // (worded as the reader words it, src/data/gunzip.ts: the planner reports both, deduplicated)
        fail(CODES.brokenLine, gz ? `not a readable gzip file (${(err as Error).message})` : `cannot read: ${(err as Error).message}`, file);
      } finally {
        raw.destroy();
      }
    }
    if (lineHasContent) n++;
    return n;
  }
  return (await readRows(file, kind, { ...(encoding ? { encoding } : {}) })).rows.length;
}
