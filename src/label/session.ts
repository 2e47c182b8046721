// The labeling session behind the page: candidate sets, the two journals (labels: the rankings file
// the recipe reads; skips: a sidecar file beside it) and the assignment of sets to labelers, rebuilt
// from the journals on every start, so a restart resumes where everyone left off.
import { Assigner, type Progress } from "./assignment.js";
import type { CandidateSet, LabelConfig } from "./candidates.js";
import { BadSubmission, checkLabeler, checkSubmissionId, labelLine, labelLineProblem, skipLine, type LabelLine, type SkipLine } from "./record.js";
import { Journal } from "./store.js";

/** The skips of `labels.jsonl` go to `labels.skips.jsonl`: the rankings source reads only rankings. */
export function skipsFileFor(labelsFile: string): string {
  return labelsFile.replace(/(\.jsonl)?$/, ".skips.jsonl");
}

/** A second answer where one is saved or being saved (a set the labeler labeled or skipped, another tab;
 * a submission id of another answer): 409. */
export class AlreadyLabeled extends Error {}

/** A saved submission id sent again must be the same answer: its set and labeler (what a resend repeats). */
function sameAnswer(id: string, body: unknown, prior: { set: string; labeler: string }): void {
  const b = body as { set?: unknown; labeler?: unknown };
  if (b.set !== prior.set || b.labeler !== prior.labeler) throw new AlreadyLabeled(`submission ${id} was saved for another set or labeler`);
}

export interface Saved {
  saved: true;
  duplicate: boolean; // this submission id had been saved before: nothing new was written
  progress: Progress;
}

function parseLabel(v: unknown): LabelLine {
  const o = v as Partial<LabelLine> | null;
  if (!o || typeof o !== "object" || typeof o.submission !== "string" || typeof o.labeler !== "string" || typeof o.set !== "string" || typeof o.ranking !== "string")
    throw new Error("not a line `alignc label` wrote (it has no submission, labeler, set and ranking); point `labels` at a new file");
  const problem = labelLineProblem(o as Record<string, unknown>);
  if (problem) throw new Error(`${problem}: not a line \`alignc label\` wrote; fix it or point \`labels\` at a new file`);
  return o as LabelLine;
}

function parseSkip(v: unknown): SkipLine {
  const o = v as Partial<SkipLine> | null;
  if (!o || typeof o !== "object" || o.skip !== true || typeof o.submission !== "string" || typeof o.labeler !== "string" || typeof o.set !== "string") throw new Error("not a skip line `alignc label` wrote");
  return o as SkipLine;
}

export class LabelSession {
  readonly assigner: Assigner;
  private readonly sets: Map<string, CandidateSet>;
  /** what opening the journals repaired, for the command to report */
  readonly repairs: string[] = [];
  private readonly labels: Journal<LabelLine>;
  private readonly skips: Journal<SkipLine>;
  /** answers in a write queue: submission id → kind, and set + labeler (see save) */
  private readonly queued = new Map<string, "label" | "skip">();
  private readonly answering = new Set<string>();

  constructor(
    readonly config: LabelConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.sets = new Map(config.sets.map((s) => [s.id, s]));
    this.assigner = new Assigner(config.sets.map((s) => s.id), config.overlap, config.seed);
    // every line starts with its first key (record.ts builds them so): how a torn last line is known to be ours
    const labels = Journal.open(config.labelsFile, parseLabel, '{"prompt":');
    const skips = Journal.open(skipsFileFor(config.labelsFile), parseSkip, '{"skip":true');
    this.labels = labels.journal;
    this.skips = skips.journal;
    for (const o of [labels, skips]) if (o.torn) this.repairs.push(`${o.journal.file}: cut off a torn last line (${o.torn.bytes} bytes, never acknowledged; kept in ${o.torn.keptIn})`);
    let unknown = 0;
    for (const l of this.labels.entries) {
      if (this.sets.has(l.set)) this.assigner.recordLabel(l.set, l.labeler);
      else unknown++;
    }
    for (const s of this.skips.entries) if (this.sets.has(s.set)) this.assigner.recordSkip(s.set, s.labeler);
    if (unknown) this.repairs.push(`${config.labelsFile}: ${unknown} label(s) of candidate sets that are no longer in ${config.candidatesFile} (kept, not shown again)`);
  }

  get labelCount(): number {
    return this.labels.entries.length;
  }

  /** The set this labeler should see now (null: none left for them) and their progress. */
  next(labeler: unknown, prefer?: string): { set: { id: string; prompt: string; system?: string; responses: string[] } | null; progress: Progress } {
    const who = checkLabeler(labeler);
    const id = this.assigner.next(who, this.clock().getTime(), prefer);
    const s = id ? this.sets.get(id)! : null;
    // the system text the model was asked with: a labeler judges the answers to what was asked
    return { set: s ? { id: s.id, prompt: s.prompt, ...(s.extra.system ? { system: s.extra.system } : {}), responses: s.responses } : null, progress: this.assigner.progress(who) };
  }

  private setOf(body: unknown): CandidateSet {
    const id = (body as { set?: unknown } | null)?.set;
    const s = typeof id === "string" ? this.sets.get(id) : undefined;
    if (!s) throw new BadSubmission("`set` is not a candidate set of this source");
    return s;
  }

  /**
   * A submission id already saved: a resend of the same answer (nothing written again), or the id of
   * another answer (refused: its content would be dropped while the client is told it was saved). An id
   * is written once, in one of the two files.
   */
  private resent(id: string, body: unknown, kind: "label" | "skip"): Saved | null {
    const prior = (kind === "label" ? this.labels : this.skips).saved(id);
    if ((kind === "label" ? this.skips : this.labels).saved(id)) throw new AlreadyLabeled(`submission ${id} was saved as a ${kind === "label" ? "skip" : "label"}`);
    if (!prior) return null;
    sameAnswer(id, body, prior);
    return { saved: true, duplicate: true, progress: this.assigner.progress(prior.labeler) };
  }

  /** Save a ranking; resolves once it is fsync'ed. A resend of a saved submission id writes nothing. */
  async label(body: unknown): Promise<Saved> {
    const id = checkSubmissionId((body as { submission?: unknown } | null)?.submission);
    return this.resent(id, body, "label") ?? this.save("label", id, body, labelLine(body, this.setOf(body), this.clock()));
  }

  /** Save a skip (with its reason) in the sidecar file; the labeler is not shown the set again. */
  async skip(body: unknown): Promise<Saved> {
    const id = checkSubmissionId((body as { submission?: unknown } | null)?.submission);
    return this.resent(id, body, "skip") ?? this.save("skip", id, body, skipLine(body, this.setOf(body), this.clock()));
  }

  /**
   * Append an answer to its file. Labels and skips are two files with two write queues: an answer
   * queued in one is held here too (its id, its set and labeler), so that a label and a skip posted at
   * once with one id, or for one set by one labeler, are not both written. A second post of the same
   * answer (the same id, same kind) goes on to its queue, which recognises it.
   */
  private async save(kind: "label" | "skip", id: string, body: unknown, line: LabelLine | SkipLine): Promise<Saved> {
    const queued = this.queued.get(id);
    if (queued && queued !== kind) throw new AlreadyLabeled(`submission ${id} is being saved as a ${queued}`);
    const who = `${line.set}\n${line.labeler}`;
    const mine = !queued;
    if (mine) {
      if (this.answering.has(who)) throw new AlreadyLabeled(`${line.labeler} has already labeled or skipped this set`);
      this.queued.set(id, kind);
      this.answering.add(who);
    }
    try {
      const hooks = {
        guard: () => {
          if (this.assigner.seen(line.set, line.labeler)) throw new AlreadyLabeled(`${line.labeler} has already labeled or skipped this set`);
        },
        resent: (prior: { set: string; labeler: string }) => sameAnswer(id, body, prior),
        written: () => (kind === "label" ? this.assigner.recordLabel(line.set, line.labeler) : this.assigner.recordSkip(line.set, line.labeler)),
      };
      const r = kind === "label" ? await this.labels.append(line as LabelLine, hooks) : await this.skips.append(line as SkipLine, hooks);
      return { saved: true, duplicate: r.duplicate, progress: this.assigner.progress(line.labeler) };
    } finally {
      if (mine) {
        this.queued.delete(id);
        this.answering.delete(who);
      }
    }
  }

  /** Stop at once (a second Ctrl-C): the write in progress finishes and is fsynced; queued ones are refused. */
  async stopNow(): Promise<void> {
    await Promise.all([this.labels.stopNow(), this.skips.stopNow()]);
  }

  /** Wait for writes in flight and close the files. */
  async close(): Promise<void> {
    await Promise.all([this.labels.close(), this.skips.close()]);
  }
}
