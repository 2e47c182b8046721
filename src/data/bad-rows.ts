// Bad rows: a source's `on_error` decides what one row that cannot be used does to the whole file.
//   fail (default): every bad row is reported (the first MAX_REPORTED, then a count), then the build
//     stops: nothing is trained on a file that is not what the recipe says it is;
//   skip: the row is left out; `alignc data --stats` and the run record show how many and why.
// Each report is located (file:line, plus the element index in a JSON array) and clipped: a message
// never quotes more than CLIP_CHARS of a row (published files can be one 3 MB line).
import { CODES, DataError, dataDiag } from "./diag.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import type { Row } from "./readers.js";
import type { SkippedRows } from "./types.js";

export type OnError = "fail" | "skip";

/** Bad rows reported one by one before the rest are only counted. */
export const MAX_REPORTED = 20;
/** Reasons kept for a skip report. */
export const SKIP_REASONS_SHOWN = 5;
/** The most characters of a row a message quotes. */
export const CLIP_CHARS = 200;

export function clip(s: string, n = CLIP_CHARS): string {
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length - n} more characters)`;
}

/** A diagnostic with its message clipped (a message may quote a row). */
function clipped(d: Diagnostic): Diagnostic {
  return d.message.length > CLIP_CHARS * 2 ? { ...d, message: clip(d.message, CLIP_CHARS * 2) } : d;
}

/** Collects the bad rows of one file under one policy. */
export class BadRows {
  private readonly diags: Diagnostic[] = [];
  private readonly rows = new Set<number>();
  private readonly reasons: string[] = [];

  constructor(
    readonly source: string,
    readonly file: string,
    readonly mode: OnError = "fail",
  ) {}

  /** Run `fn` for a row; a DataError marks the row bad (reported or skipped) and gives undefined. */
  guard<T>(row: Row, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      this.add(row.index, e.diagnostics);
      return undefined;
    }
  }

  /** Record diagnostics of one bad row (by its index, so a row counts once). */
  add(index: number, ds: readonly Diagnostic[]): void {
    const first = !this.rows.has(index);
    this.rows.add(index);
    // a reason names its line (its message leaves the file and line to the diagnostic's location)
    if (first && this.reasons.length < SKIP_REASONS_SHOWN && ds[0]) this.reasons.push(clip(`${ds[0].span ? `line ${ds[0].span.line}: ` : ""}${ds[0].message}`, CLIP_CHARS));
    if (this.diags.length < MAX_REPORTED) this.diags.push(...ds.slice(0, MAX_REPORTED - this.diags.length).map(clipped));
  }

  isBad(index: number): boolean {
    return this.rows.has(index);
  }

  get count(): number {
    return this.rows.size;
  }

  /** fail: throw every reported row (and the count of the rest); skip: the report for --stats. */
  finish(): SkippedRows | undefined {
    if (this.rows.size === 0) return undefined;
    if (this.mode === "skip") return { source: this.source, file: this.file, count: this.rows.size, reasons: this.reasons };
    const hint = 'fix the rows, or write on_error = "skip" on the source to leave them out (the count and reasons show in `alignc data --stats`)';
    const listed = this.diags.map((d, i) => (i === 0 && !d.hint ? { ...d, hint } : d));
    if (this.rows.size <= MAX_REPORTED) throw new DataError(listed);
    // more bad rows than are listed: say how many in all
    const summary = dataDiag(listed[0]?.code ?? CODES.brokenLine, `${this.rows.size} bad rows in \`${this.source}\`; the first ${MAX_REPORTED} are listed`, this.file, null, hint);
    throw new DataError([...listed, summary]);
  }
}

/** One report per source and file: the rows a file's reader left out (lines that are not JSON) and
 * those its rows' mapping left out (a missing field, an empty response) are counted together, their
 * reasons in file order (the first SKIP_REASONS_SHOWN). The same report met twice (a source shared by
 * two components) counts once. */
export function mergeSkipped(list: readonly SkippedRows[]): SkippedRows[] {
  const by = new Map<string, { s: SkippedRows; parts: Set<string> }>();
  for (const s of list) {
    const key = `${s.source}\u0000${s.file}\u0000${s.split ?? ""}`; // counts of different splits stay apart
    const part = JSON.stringify(s);
    const m = by.get(key);
    if (!m) by.set(key, { s: { ...s, reasons: [...s.reasons] }, parts: new Set([part]) });
    else if (!m.parts.has(part)) {
      m.parts.add(part);
      m.s.count += s.count;
      m.s.reasons = [...m.s.reasons, ...s.reasons].sort((a, b) => lineOf(a) - lineOf(b)).slice(0, SKIP_REASONS_SHOWN);
    }
  }
  return [...by.values()].map((m) => m.s);
}

/** How a skipped-rows report names its split, for people (`alignc data --stats`, report.html). */
export const SPLIT_WORDS: Record<NonNullable<SkippedRows["split"]>, string> = { train: "training split", heldout: "held-out split" };

/** The line a reason names (`line N: …`), for ordering. */
function lineOf(reason: string): number {
  const m = /^line (\d+): /.exec(reason);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

