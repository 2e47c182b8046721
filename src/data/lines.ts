// The lines of a streamed text (JSONL), split as node:readline splits them (`\n`, `\r\n`, or a lone
// `\r`; a `\r\n` cut between two chunks is one break), with a cap on a line's length that holds while
// the line is read. readline joined a line of any length into one string: past V8's limit (~512 Mi
// characters) it threw a RangeError from inside the stream's event handler, where no caller could
// catch it (a raw stack trace, exit 1, no file or line). A line over the cap is not kept: its
// characters are counted as they pass and it comes out as a LongLine, which the reader reports at its
// line as a bad row.

/** A line longer than the cap: only its length, in characters (UTF-16 units, as string lengths count). */
export class LongLine {
  constructor(readonly length: number) {}
}

/** The lines of `chunks` without their line breaks (a LongLine for one of more than `maxChars`), in
 * batches: those each chunk ends (one async step per line cost a third more than readline). */
export async function* splitLines(chunks: AsyncIterable<string>, maxChars: number): AsyncGenerator<(string | LongLine)[]> {
  const brk = /\r\n|\n|\r/g; // one per call: the generator pauses between matches
  let parts: string[] = [];
  let length = 0; // of the line so far
  let long = false; // past the cap: counted, no longer kept
  let afterCR = false; // the last chunk ended in `\r`: a `\n` opening this one ends no line of its own
  const add = (s: string): void => {
    length += s.length;
    if (long) return;
    if (length > maxChars) [long, parts] = [true, []];
    else if (s) parts.push(s);
  };
  const take = (): string | LongLine => {
    const line = long ? new LongLine(length) : parts.length === 1 ? parts[0]! : parts.join("");
    [parts, length, long] = [[], 0, false];
    return line;
  };
  for await (const chunk of chunks) {
    if (!chunk) continue;
    let pos: number = afterCR && chunk[0] === "\n" ? 1 : 0;
    afterCR = false;
    brk.lastIndex = pos;
    const batch: (string | LongLine)[] = [];
    for (let m = brk.exec(chunk); m; m = brk.exec(chunk)) {
      add(chunk.slice(pos, m.index));
      pos = m.index + m[0].length;
      afterCR = m[0] === "\r" && pos === chunk.length;
      batch.push(take());
    }
    add(chunk.slice(pos));
    if (batch.length) yield batch;
  }
  if (length > 0) yield [take()]; // a last line without a line break
}
