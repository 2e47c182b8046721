// `alignc label --stats FILE`: what a labels file (alignc label's output) says about its labelers —
// labels and skips per labeler, time per label, flag counts, and pairwise ranking agreement: between
// two labelers on the prompts both ranked (InstructGPT reports 72.6 ± 1.5 % among its labelers), and,
// where a row carries the demo's reference `answer`, with the rule the demo rankings follow
// (src/run/evaluation/rule-judge.ts). Chance agreement is 0.5. Read only: the file is never changed.
import { existsSync } from "node:fs";
import { InputFileError, READ_LIMITS, readRegularText } from "../lang/read-file.js";
import { parseRankingString } from "../data/rankings.js";
import { ruleOutcome } from "../run/evaluation/rule-judge.js";
import { wilson } from "../run/evaluation/stats.js";
import { labelLineProblem } from "./record.js";
import { skipsFileFor } from "./session.js";

export interface Agreement {
  agree: number;
  disagree: number;
  rate: number | null; // agree / (agree + disagree); null when no pair counted
  ci_low: number | null;
  ci_high: number | null;
  tied: number; // response pairs that one side tied (not counted)
  prompts: number;
}

export interface LabelStats {
  file: string;
  labels: number;
  prompts: number;
  responses: number;
  skips: number;
  torn_last_line: boolean;
  labelers: { labeler: string; labels: number; skips: number; median_seconds: number | null; mean_seconds: number | null; mean_rating: number | null }[];
  flags: { flag: string; count: number; share: number }[];
  agreement: { all: Agreement; pairs: ({ a: string; b: string } & Agreement)[] };
  rule: { all: Agreement; labelers: ({ labeler: string } & Agreement)[] } | null;
}

interface Row {
  prompt: string;
  responses: string[];
  ranks: number[];
  ratings: number[];
  flags: string[][];
  labeler: string;
  seconds: number;
  set: string;
  answer?: string;
}

/** Pairs of labels of one prompt that --stats compares, over the file (1,000 labels of one prompt are ~500,000). */
const MAX_LABEL_PAIRS = 1_000_000;

/** A line of the file that is not one alignc label wrote: file:line and why. */
export class StatsError extends Error {}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function readLines(file: string, what = "labels file"): { values: { v: unknown; line: number }[]; torn: boolean } {
  let text: string;
  try {
    // a FIFO or /dev/zero named here (or beside it as the skips file) would be read forever
    // a byte-order mark before the first line is accepted, as every data reader accepts it
    text = readRegularText(file, READ_LIMITS.wholeData, what).replace(/^\uFEFF/, "");
  } catch (e) {
    if (e instanceof InputFileError) throw new StatsError(e.message);
    throw e;
  }
  const lines = text.split("\n");
  // a last line without its newline is torn (a write cut short) unless it is a whole JSON line, as the
  // server's journal reads it (src/label/store.ts); the fields of every line are checked below (toRow)
  let torn = false;
  if (lines[lines.length - 1] !== "" && !isJson(lines[lines.length - 1]!)) {
    torn = true;
    lines.pop();
  }
  const values: { v: unknown; line: number }[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === "") return;
    try {
      values.push({ v: JSON.parse(l), line: i + 1 });
    } catch (e) {
      throw new StatsError(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
  });
  return { values, torn };
}

function toRow(v: unknown, file: string, line: number): Row {
  const o = v as Record<string, unknown>;
  const why = (m: string): never => {
    throw new StatsError(`${file}:${line}: ${m} (is this a file alignc label wrote?)`);
  };
  if (!o || typeof o !== "object") why("not an object");
  if (typeof o.labeler !== "string") why("no `labeler`");
  if (!Array.isArray(o.responses) || typeof o.ranking !== "string") why("no `responses` and `ranking`");
  // what the labeling server writes (src/label/record.ts labelLine), held to the same rules as the server
  // holds the file it appends to: a hand-edited line with a rating "7" or a response 3 was averaged as text
  const problem = labelLineProblem(o);
  if (problem) why(problem);
  const k = (o.responses as unknown[]).length;
  const ranks = parseRankingString(o.ranking as string, k);
  const ratings = Array.isArray(o.ratings) ? (o.ratings as number[]) : [];
  const flags = Array.isArray(o.flags) ? (o.flags as string[][]) : [];
  return {
    prompt: String(o.prompt),
    responses: o.responses as string[],
    ranks,
    ratings,
    flags,
    labeler: o.labeler as string,
    seconds: typeof o.seconds === "number" ? o.seconds : NaN,
    set: typeof o.set === "string" ? o.set : JSON.stringify([o.prompt, o.responses]),
    ...(typeof o.answer === "string" ? { answer: o.answer } : {}),
  };
}

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

class Tally {
  agree = 0;
  disagree = 0;
  tied = 0;
  readonly prompts = new Set<string>();
  /** a and b: 1 when the first response of the pair is preferred, 0 when the second, 0.5 for a tie */
  add(a: number, b: number, set: string): void {
    this.prompts.add(set);
    if (a === 0.5 || b === 0.5) this.tied++;
    else if (a === b) this.agree++;
    else this.disagree++;
  }
  result(): Agreement {
    const n = this.agree + this.disagree;
    const [lo, hi] = n ? wilson(this.agree, n) : [null, null];
    return { agree: this.agree, disagree: this.disagree, rate: n ? this.agree / n : null, ci_low: lo, ci_high: hi, tied: this.tied, prompts: this.prompts.size };
  }
}

const prefer = (ranks: number[], i: number, j: number): number => (ranks[i]! < ranks[j]! ? 1 : ranks[i]! > ranks[j]! ? 0 : 0.5);

export function labelStats(file: string): LabelStats {
  const { values, torn } = readLines(file);
  const rows = values.map(({ v, line }) => toRow(v, file, line));
  const skipsFile = skipsFileFor(file);
  // a skip line is the server's (src/label/record.ts skipLine): an object naming its labeler
  const skips = existsSync(skipsFile)
    ? readLines(skipsFile, "skips file").values.map(({ v, line }) => {
        const o = v as { labeler?: unknown } | null;
        if (!o || typeof o !== "object" || Array.isArray(o) || typeof o.labeler !== "string") throw new StatsError(`${skipsFile}:${line}: not a skip line alignc label wrote (an object with a \`labeler\`)`);
        return o as { labeler: string };
      })
    : [];

  const names = [...new Set([...rows.map((r) => r.labeler), ...skips.map((s) => s.labeler)])].sort();
  const labelers = names.map((labeler) => {
    const mine = rows.filter((r) => r.labeler === labeler);
    const secs = mine.map((r) => r.seconds).filter((s) => Number.isFinite(s));
    return {
      labeler,
      labels: mine.length,
      skips: skips.filter((s) => s.labeler === labeler).length,
      median_seconds: median(secs),
      mean_seconds: mean(secs),
      mean_rating: mean(mine.flatMap((r) => r.ratings)),
    };
  });

  const flagCounts = new Map<string, number>();
  for (const r of rows) for (const fs of r.flags) for (const f of fs) flagCounts.set(f, (flagCounts.get(f) ?? 0) + 1);
  const responses = rows.reduce((n, r) => n + r.responses.length, 0);
  const flags = [...flagCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([flag, count]) => ({ flag, count, share: count / responses }));

  // inter-labeler: every two labelers who ranked the same set, every pair of its responses
  const bySet = new Map<string, Row[]>();
  for (const r of rows) (bySet.get(r.set) ?? bySet.set(r.set, []).get(r.set)!).push(r);
  const all = new Tally();
  const pairTallies = new Map<string, Tally>();
  // every two labels of a set are compared, and tallied per pair of labelers: alignc label gives a set
  // to a few labelers (the overlap share), so a file with millions of such pairs is not one of its
  // files (30,000 labels of one prompt, or many prompts of 1,000 new labelers each, ran out of memory)
  let labelPairs = 0;
  for (const rs of bySet.values()) labelPairs += (rs.length * (rs.length - 1)) / 2;
  if (labelPairs > MAX_LABEL_PAIRS) {
    const [set, rs] = [...bySet].reduce((a, b) => (b[1].length > a[1].length ? b : a));
    throw new StatsError(`${file}: ${labelPairs.toLocaleString("en-US")} pairs of labels of one prompt to compare, more than the ${MAX_LABEL_PAIRS.toLocaleString("en-US")} --stats compares (the most: ${rs.length} labels of set ${JSON.stringify(set.slice(0, 60))}; alignc label gives a prompt to a few labelers): is this a file alignc label wrote?`);
  }
  for (const [set, rs] of bySet)
    for (let x = 0; x < rs.length; x++)
      for (let y = x + 1; y < rs.length; y++) {
        const [a, b] = [rs[x]!, rs[y]!].sort((p, q) => (p.labeler < q.labeler ? -1 : 1));
        if (a!.labeler === b!.labeler) continue; // one labeler twice is not agreement between labelers
        const key = `${a!.labeler}\u0000${b!.labeler}`;
        const t = pairTallies.get(key) ?? pairTallies.set(key, new Tally()).get(key)!;
        const k = a!.responses.length;
        for (let i = 0; i < k; i++)
          for (let j = i + 1; j < k; j++) {
            all.add(prefer(a!.ranks, i, j), prefer(b!.ranks, i, j), set);
            t.add(prefer(a!.ranks, i, j), prefer(b!.ranks, i, j), set);
          }
      }
  const pairs = [...pairTallies].sort(([p], [q]) => (p < q ? -1 : 1)).map(([key, t]) => ({ a: key.split("\u0000")[0]!, b: key.split("\u0000")[1]!, ...t.result() }));

  // the demo's rule labeler, on rows that carry the reference answer
  let rule: LabelStats["rule"] = null;
  const withAnswer = rows.filter((r) => r.answer !== undefined);
  if (withAnswer.length) {
    const ruleAll = new Tally();
    const per = new Map<string, Tally>();
    for (const r of withAnswer) {
      const t = per.get(r.labeler) ?? per.set(r.labeler, new Tally()).get(r.labeler)!;
      for (let i = 0; i < r.responses.length; i++)
        for (let j = i + 1; j < r.responses.length; j++) {
          const byRule = ruleOutcome(r.responses[i]!, r.responses[j]!, r.answer!);
          ruleAll.add(prefer(r.ranks, i, j), byRule, r.set);
          t.add(prefer(r.ranks, i, j), byRule, r.set);
        }
    }
    rule = { all: ruleAll.result(), labelers: [...per].sort(([p], [q]) => (p < q ? -1 : 1)).map(([labeler, t]) => ({ labeler, ...t.result() })) };
  }

  return { file, labels: rows.length, prompts: bySet.size, responses, skips: skips.length, torn_last_line: torn, labelers, flags, agreement: { all: all.result(), pairs }, rule };
}

const f3 = (x: number | null): string => (x === null ? "–" : x.toFixed(3));
const f1 = (x: number | null): string => (x === null ? "–" : x.toFixed(1));

function agreementLine(name: string, a: Agreement): string {
  if (a.rate === null) return `  ${name.padEnd(24)} –  (no response pair both sides ranked strictly; ${a.tied} tied)`;
  return `  ${name.padEnd(24)} ${f3(a.rate)} [${f3(a.ci_low)}, ${f3(a.ci_high)}]  ${a.agree}/${a.agree + a.disagree} pairs on ${a.prompts} prompts (${a.tied} tied by one side, not counted)`;
}

export function statsText(s: LabelStats): string {
  const out: string[] = [];
  out.push(`${s.file}: ${s.labels} labels of ${s.prompts} prompts by ${s.labelers.length} labelers; ${s.skips} skips`);
  if (s.torn_last_line) out.push("  (its last line is torn: a write cut short, never acknowledged; not counted)");
  out.push("", `  ${"labeler".padEnd(24)} labels  skips  median s/label  mean s/label  mean rating`);
  for (const l of s.labelers) out.push(`  ${l.labeler.padEnd(24)} ${String(l.labels).padStart(6)}  ${String(l.skips).padStart(5)}  ${f1(l.median_seconds).padStart(14)}  ${f1(l.mean_seconds).padStart(12)}  ${f1(l.mean_rating).padStart(11)}`);
  out.push("", `flags (${s.responses} responses rated)`);
  if (!s.flags.length) out.push("  none");
  for (const f of s.flags) out.push(`  ${f.flag.padEnd(30)} ${String(f.count).padStart(5)}  ${(100 * f.share).toFixed(1)}%`);
  out.push("", "pairwise ranking agreement between labelers on the prompts both ranked (chance 0.5; InstructGPT's labelers: 0.726 ± 0.015)");
  out.push(agreementLine("all", s.agreement.all));
  for (const p of s.agreement.pairs) out.push(agreementLine(`${p.a} – ${p.b}`, p));
  if (s.rule) {
    out.push("", "agreement with the rule labeler (the demo's ranking rule, src/run/evaluation/rule-judge.ts; rows with an `answer`; chance 0.5)");
    out.push(agreementLine("all", s.rule.all));
    for (const l of s.rule.labelers) out.push(agreementLine(l.labeler, l));
  }
  out.push("", "95% Wilson intervals over response pairs; pairs of one prompt are not independent, so the intervals are too narrow.");
  return out.join("\n");
}
