// An append-only JSONL journal that never loses an acknowledged line: each line is written whole,
// then fsync'ed, and only then does append() resolve (and the page hear "saved"). Appends are
// serialised, so a resend of the same submission id, even concurrent, is recognised and not written
// twice. After a kill -9, the last line may be torn (written in part, never acknowledged): opening
// the journal moves those bytes to a `.torn-<time>` file beside it and cuts them off; the page still
// holds that submission and sends it again.
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { InputFileError, READ_LIMITS, readRegularFile } from "../lang/read-file.js";
import { open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDir } from "../common/atomic-write.js";

/** Every line the journal holds names its submission (the page's id) and is otherwise opaque here. */
export interface JournalEntry {
  submission: string;
}

/** The file holds something alignc label did not write, or cannot be read: it is left as it is. */
export class JournalError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export interface OpenedJournal<T extends JournalEntry> {
  journal: Journal<T>;
  /** bytes of a torn last line that were cut off, and where they were kept */
  torn: { bytes: number; keptIn: string } | null;
}

export class Journal<T extends JournalEntry> {
  readonly entries: T[] = [];
  private readonly bySubmission = new Map<string, T>();
  private fh: FileHandle | null = null;
  private size: number;
  private tail: Promise<unknown> = Promise.resolve();
  private broken: Error | null = null;
  /** the write in progress (stopNow waits for it, not for the appends queued behind it) */
  private writing: Promise<void> | null = null;

  private constructor(
    readonly file: string,
    entries: T[],
    size: number,
    /** the file's last line has no line break: the next append writes one first */
    private missingBreak = false,
  ) {
    for (const e of entries) this.index(e);
    this.size = size;
  }

  /**
   * Read the journal (a missing file is an empty journal, created by the first append). `parse`
   * checks one line's object and returns it, or throws an Error whose message says what is wrong;
   * every line written starts with `linePrefix`, so a torn last line is recognised as ours.
   */
  static open<T extends JournalEntry>(file: string, parse: (value: unknown) => T, linePrefix: string): OpenedJournal<T> {
    if (!existsSync(file)) return { journal: new Journal<T>(file, [], 0), torn: null };
    let buf: Buffer;
    try {
      // only a regular file: the skips file beside the labels is named by no recipe, so nothing else
      // has refused a FIFO or a device there (either would be read forever)
      buf = readRegularFile(file, READ_LIMITS.wholeData, "labels file");
    } catch (e) {
      if (e instanceof InputFileError) throw new JournalError(e.message, file);
      throw new JournalError(`cannot read ${file}: ${(e as Error).message}`, file);
    }
    const end = buf.lastIndexOf(0x0a) + 1; // one past the last complete line
    const entries: T[] = [];
    // a UTF-8 byte order mark (an editor's) is no part of the first line: the rankings reader and
    // `label --stats` skip it, and the server refused the file with an invisible token (huntD39 L3)
    const lines = buf.subarray(0, end).toString("utf8").replace(/^\uFEFF/, "").split("\n");
    lines.pop(); // after the last newline
    lines.forEach((text, i) => {
      if (text.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new JournalError(`${file}:${i + 1}: not JSON (${(e as Error).message})`, file, i + 1);
      }
      try {
        entries.push(parse(value));
      } catch (e) {
        throw new JournalError(`${file}:${i + 1}: ${(e as Error).message}`, file, i + 1);
      }
    });
    let torn: OpenedJournal<T>["torn"] = null;
    if (end < buf.length) {
      const tail = buf.subarray(end).toString("utf8");
      const whole = wholeLine(tail);
      if (whole !== undefined) {
        // a whole line without its line break (a file written by hand or by another tool, or ours
        // cut exactly before its "\n") is a line like the others, never torn: kept, the break added
        // by the next append
        try {
          entries.push(parse(whole));
        } catch (e) {
          throw new JournalError(`${file}:${lines.length + 1}: ${(e as Error).message}`, file, lines.length + 1);
        }
        return { journal: new Journal<T>(file, entries, buf.length, true), torn: null };
      }
      if (!tail.startsWith(linePrefix) && !linePrefix.startsWith(tail))
        throw new JournalError(`${file}:${lines.length + 1}: the last line has no line break and is not one \`alignc label\` wrote`, file, lines.length + 1);
      // the prefix is every rankings row's first key, hand-written ones too: a tail is taken for our
      // torn write only beside a line we wrote, or when it holds our `submission` id (a row being
      // typed in a file alignc never wrote was cut to 0 bytes and called our torn line: audit 32)
      if (entries.length === 0 && !tail.includes('"submission":'))
        throw new JournalError(
          `${file}:${lines.length + 1}: the last line has no line break, and the file holds no line \`alignc label\` wrote: left as it is (finish the line; or, if it is alignc's first line cut short, remove it)`,
          file,
          lines.length + 1,
        );
      // only once the rest has been read as ours (a file alignc did not write is left alone): keep the torn bytes aside, cut them off
      const keptIn = `${file}.torn-${new Date().toISOString().replace(/[:.]/g, "")}`;
      let kept: number;
      try {
        kept = openSync(keptIn, "wx");
      } catch (e) {
        // a folder alignc may not write to: nothing is cut, the file stays as it is
        throw new JournalError(`${file}:${lines.length + 1}: the last line is torn (a write cut short), and its bytes cannot be kept aside in ${keptIn} before cutting them off: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; the file is left as it is`, file, lines.length + 1);
      }
      try {
        writeSync(kept, buf.subarray(end));
        fsyncSync(kept);
      } finally {
        closeSync(kept);
      }
      torn = { bytes: buf.length - end, keptIn };
      const fd = openSync(file, "r+");
      try {
        ftruncateSync(fd, end);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return { journal: new Journal<T>(file, entries, end), torn };
  }

  private index(e: T): void {
    this.entries.push(e);
    this.bySubmission.set(e.submission, e);
  }

  /** The entry a submission id was saved as, if it was. */
  saved(submission: string): T | undefined {
    return this.bySubmission.get(submission);
  }

  /**
   * Append an entry and fsync it; resolves once it is on disk. An entry whose submission id is
   * already saved is not written again: `{ duplicate: true, entry: the saved one }`. `guard` runs
   * inside the serialised section, just before the write, and may throw to refuse the entry;
   * `written` runs there right after it is on disk; `resent` there too, on the saved entry of the same
   * id, and may throw when it is another answer (two posts of one new id at once meet only here).
   */
  append(entry: T, hooks: { guard?: () => void; written?: () => void; resent?: (prior: T) => void } = {}): Promise<{ duplicate: boolean; entry: T }> {
    const run = async (): Promise<{ duplicate: boolean; entry: T }> => {
      if (this.broken) throw this.broken;
      const prior = this.bySubmission.get(entry.submission);
      if (prior) {
        hooks.resent?.(prior);
        return { duplicate: true, entry: prior };
      }
      hooks.guard?.();
      this.writing = this.write(`${JSON.stringify(entry)}\n`);
      try {
        await this.writing;
      } finally {
        this.writing = null;
      }
      this.index(entry);
      hooks.written?.(); // still inside the serialised section: the next append's guard sees it
      return { duplicate: false, entry };
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  private async write(line: string): Promise<void> {
    const created = !this.fh && !existsSync(this.file);
    this.fh ??= await open(this.file, "a");
    if (created) fsyncDir(dirname(this.file)); // the new file's name survives a crash too
    const bytes = Buffer.from(this.missingBreak ? `\n${line}` : line, "utf8");
    try {
      let off = 0;
      while (off < bytes.length) off += (await this.fh.write(bytes, off, bytes.length - off)).bytesWritten;
      await this.fh.sync();
      this.size += bytes.length;
      this.missingBreak = false;
    } catch (e) {
      // a failed write (disk full …) must not leave half a line for the next one to follow
      try {
        await this.fh.truncate(this.size);
        await this.fh.sync();
      } catch (e2) {
        this.broken = new Error(`${this.file}: a write failed (${(e as Error).message}) and could not be undone (${(e2 as Error).message}); restart alignc label`);
      }
      throw e;
    }
  }

  /**
   * Stop now (a second Ctrl-C): appends not started yet are refused (never acknowledged: the page
   * sends them again), the one being written finishes, and the file is fsynced. Every acknowledged
   * entry was fsynced before its answer; this makes the one in progress whole and durable too.
   */
  async stopNow(): Promise<void> {
    this.broken ??= new Error(`${this.file}: alignc label is stopping`);
    await this.writing?.catch(() => undefined);
    if (this.fh) fsyncSync(this.fh.fd);
  }

  /** Wait for every append in flight, then close the file. */
  async close(): Promise<void> {
    await this.tail;
    await this.fh?.close();
    this.fh = null;
  }
}

/** The value of a last line that is whole JSON (not cut off mid-line), else undefined. */
function wholeLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
