// Bad rows: a source's `on_error` decides what one row that cannot be used does to the whole file.
//   fail (default): every bad row is reported (the first MAX_REPORTED, then a count), then the build
//     stops: nothing is trained on a file that is not what the recipe says it is;
//   skip: the row is left out; `alignc data --stats` and the run record show how many and why.
// Each report is located (file:line, plus the element index in a JSON array) and clipped: a message
// never quotes more than CLIP_CHARS of a row (published files can be one 3 MB line).
import { basename } from "node:path";
import { CODES, DataError, dataDiag } from "./diag.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { rowElement, type Row } from "./row.js";
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

/** Rows shown by place when one template fails on many of them. */
const ROWS_NAMED = 5;

/** Collects the bad rows of one file under one policy. */
export class BadRows {
  private readonly diags: Diagnostic[] = [];
  private readonly rows = new Set<number>();
  private readonly reasons: string[] = [];
  /** rows whose diagnostics are listed one by one */
  private readonly listedRows = new Set<number>();
  /** a template that failed on rows (located at the template, not the row): one entry per
   * template, place and message, with the rows it failed on, so that a template that fails on every
   * row is one error naming the rows rather than the same error per row */
  private readonly atTemplates = new Map<string, { d: Diagnostic; rows: Row[]; count: number; last: number }>();

  constructor(
    readonly source: string,
    readonly file: string,
    readonly mode: OnError = failOrSkip(undefined),
  ) {}

  /** rows guarded (in order: a row guarded twice, prompt then response, counts once) */
  private seen = 0;
  private lastSeen = -1;

  /** Run `fn` for a row; a DataError marks the row bad (reported or skipped) and gives undefined. */
  guard<T>(row: Row, fn: () => T): T | undefined {
    if (row.index !== this.lastSeen) [this.seen, this.lastSeen] = [this.seen + 1, row.index];
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      const [first] = e.diagnostics;
      if (first === undefined || first.file === this.file) this.add(row.index, e.diagnostics);
      else this.addAtTemplate(row, e.diagnostics);
      return undefined;
    }
  }

  /** Record diagnostics of one bad row (by its index, so a row counts once). */
  add(index: number, ds: readonly Diagnostic[]): void {
    // a reason names its line (its message leaves the file and line to the diagnostic's location)
    this.count1(index, ds[0] && `${ds[0].span ? `line ${ds[0].span.line}: ` : ""}${ds[0].message}`);
    if (this.diags.length < MAX_REPORTED) {
      this.diags.push(...ds.slice(0, MAX_REPORTED - this.diags.length).map(clipped));
      this.listedRows.add(index);
    }
  }

  /** A row that a template failed on: its diagnostics are located at the template, so the row is
   * named in the message (file:line) and rows failing the same way are gathered into one report. */
  private addAtTemplate(row: Row, ds: readonly Diagnostic[]): void {
    this.count1(row.index, `line ${row.line}: ${rowElement(row)}${ds[0]!.message}`);
    for (const d of ds) {
      const key = `${d.code}\u0000${d.file}\u0000${d.span?.start ?? ""}\u0000${d.message}`;
      const g = this.atTemplates.get(key) ?? { d, rows: [], count: 0, last: -1 };
      this.atTemplates.set(key, g);
      if (g.last !== row.index) {
        g.last = row.index;
        g.count++;
        if (g.rows.length < ROWS_NAMED) g.rows.push(row);
      }
    }
    this.listedRows.add(row.index);
  }

  private count1(index: number, reason: string | undefined): void {
    const first = !this.rows.has(index);
    this.rows.add(index);
    if (first && this.reasons.length < SKIP_REASONS_SHOWN && reason) this.reasons.push(clip(reason, CLIP_CHARS));
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
    // a template that fails on every row is the template's fault: skipping the rows would leave none
    const everyRow = this.seen > 1 && [...this.atTemplates.values()].some((g) => g.count === this.seen);
    const hint = everyRow
      ? `the template fails on every one of the ${this.seen} rows, so the template is at fault, not the rows: fix it (on_error = "skip" would leave nothing)`
      : this.seen > 1 && this.rows.size === this.seen
        ? `every one of the ${this.seen} rows fails, so how the recipe reads them (the source's shape, a fields mapping, a template) is likely at fault, not the rows: fix it (on_error = "skip" would leave nothing)`
        : 'fix the rows, or write on_error = "skip" on the source to leave them out (the count and reasons show in `alignc data --stats`)';
    const atTemplates = [...this.atTemplates.values()].map((g) => clipped({ ...g.d, message: `${this.rowsNamed(g.rows, g.count)}: ${g.d.message}` }));
    const listed = [...this.diags, ...atTemplates].map((d, i) => (i === 0 && !d.hint ? { ...d, hint } : d));
    if (this.listedRows.size === this.rows.size) throw new DataError(listed);
    // more bad rows than are listed: say how many in all
    const summary = dataDiag(listed[0]?.code ?? CODES.brokenLine, `${this.rows.size} bad rows in \`${this.source}\`; the first ${this.listedRows.size} are listed`, this.file, null, hint);
    throw new DataError([...listed, summary]);
  }

  /** `demos.jsonl:7`, or `demos.jsonl lines 1, 2, 3, 4, 5 and 25 more` (elements for a JSON array). */
  private rowsNamed(rows: readonly Row[], count: number): string {
    const [r] = rows;
    if (count === 1) return `${basename(this.file)}:${r!.line}${r!.element !== undefined ? ` (element ${r!.element})` : ""}`;
    const elements = r!.element !== undefined;
    const more = count - rows.length;
    return `${basename(this.file)} ${elements ? "elements" : "lines"} ${rows.map((x) => (elements ? x.element : x.line)).join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
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

/**
 * A `fail | skip` policy as written (`on_error`, `k_outside`): these have no default in the kinds table
 * on purpose (a default would enter every source's hash), so left out means "fail", the behaviour
 * kinds.ts documents. The one place that reads it.
 */
export function failOrSkip(v: unknown): OnError {
  return v === "skip" ? "skip" : "fail";
}
