// What a labeler sends and what is written: a submission from the page is checked against its
// candidate set, then becomes one JSON line of the rankings file. The line is a row the rankings
// reader (src/data/rankings.ts) reads as it is: `prompt`, `responses` and `ranking` in its
// "B > A = C > D" form (`=` ties); the rest (ratings, flags, labeler, time …) rides along.
import type { CandidateSet } from "./candidates.js";
import { parseRankingString } from "../data/rankings.js";

/** InstructGPT's per-output metadata (Ouyang et al. 2022, table 3), as flag ids and the page's labels. */
export const FLAGS: readonly { id: string; label: string }[] = [
  { id: "fails_instruction", label: "Fails to follow the instruction / task" },
  { id: "hallucination", label: "Hallucination (makes up facts not in the input)" },
  { id: "inappropriate_for_assistant", label: "Inappropriate for a customer assistant" },
  { id: "sexual_content", label: "Sexual content" },
  { id: "violent_content", label: "Violent content" },
  { id: "encourages_harm", label: "Encourages violence, abuse, terrorism or self-harm" },
  { id: "denigrates_protected_class", label: "Denigrates a protected class" },
  { id: "harmful_advice", label: "Gives harmful advice" },
  { id: "expresses_opinion", label: "Expresses an opinion" },
  { id: "moral_judgment", label: "Expresses a moral judgment" },
];
const FLAG_IDS = new Set(FLAGS.map((f) => f.id));

/** The 1–7 quality scale of InstructGPT's interface. */
export const RATING_MIN = 1;
export const RATING_MAX = 7;

/**
 * What makes a line of a labels file other than one this module writes (labelLine below), or null: the
 * server holds the file it appends to, and `label --stats` the file it reads, to the same rules. The
 * server checked four string fields only and appended to a file with a rating of 9, which --stats then
 * refused; --stats counted flag ids the page has none of (huntD39 L3).
 */
export function labelLineProblem(o: Record<string, unknown>): string | null {
  if (typeof o.prompt !== "string") return "`prompt` is not a string";
  if (!Array.isArray(o.responses) || !o.responses.every((r) => typeof r === "string")) return "`responses` are not all strings";
  const k = o.responses.length;
  if (k < 2) return "fewer than 2 `responses`: nothing to rank";
  if (typeof o.ranking !== "string") return "`ranking` is not a string";
  try {
    parseRankingString(o.ranking, k);
  } catch (e) {
    return `ranking: ${(e as Error).message}`;
  }
  if (o.ratings !== undefined && !(Array.isArray(o.ratings) && o.ratings.length === k && o.ratings.every((r) => Number.isInteger(r) && r >= RATING_MIN && r <= RATING_MAX)))
    return `\`ratings\` is not ${k} whole numbers from ${RATING_MIN} to ${RATING_MAX}`;
  if (o.seconds !== undefined && !(typeof o.seconds === "number" && Number.isFinite(o.seconds) && o.seconds >= 0)) return "`seconds` is not a finite number ≥ 0";
  // one list of flag ids per response, as the page writes them (a hand-made `[1, []]` was exit 70)
  if (o.flags !== undefined && !(Array.isArray(o.flags) && o.flags.length === k && o.flags.every((fs) => Array.isArray(fs) && fs.every((f) => typeof f === "string" && FLAG_IDS.has(f)))))
    return `\`flags\` is not one list of flag ids per response (${[...FLAG_IDS].join(", ")})`;
  return null;
}

export interface LabelLine {
  prompt: string;
  responses: string[];
  ranking: string; // "B > A = C > D": letters name responses (A = first), `=` a tie
  ratings: number[];
  flags: string[][];
  labeler: string;
  time: string; // ISO 8601, the server's clock when it was saved
  seconds: number; // time the labeler spent on the set, as the page measured it
  set: string; // candidateSetId(prompt, responses)
  model: string | null;
  submission: string; // the page's id for this submission: a resend is recognised, never written twice
  [extra: string]: unknown; // answer, task, category copied from the candidate row
}

export interface SkipLine {
  skip: true;
  set: string;
  labeler: string;
  reason: string;
  time: string;
  seconds: number;
  submission: string;
}

export const SUBMISSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
export const LABELER_ID = /^[\p{L}\p{N}_.@ -]{1,64}$/u;
const MAX_REASON = 500;

/** A request that does not fit: the server answers 400 with the message. */
export class BadSubmission extends Error {}

const bad = (msg: string): never => {
  throw new BadSubmission(msg);
};

function object(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) bad("the body must be a JSON object");
  return body as Record<string, unknown>;
}

export function checkSubmissionId(v: unknown): string {
  return typeof v === "string" && SUBMISSION_ID.test(v) ? v : bad("`submission` must be 8–64 letters, digits, `-` or `_`");
}

export function checkLabeler(v: unknown): string {
  return typeof v === "string" && LABELER_ID.test(v.trim()) && v.trim() === v ? v : bad("`labeler` must be 1–64 letters, digits, spaces or . _ @ -, without leading or trailing spaces");
}

function seconds(v: unknown): number {
  // rounded to tenths; 1.7e308 × 10 overflows to Infinity, which JSON writes as null
  const tenths = typeof v === "number" && v >= 0 ? Math.round(v * 10) / 10 : NaN;
  return Number.isFinite(tenths) ? tenths : bad("`seconds` must be a finite number ≥ 0");
}

/** Dense rank levels (0 = best, equal = tie, no gap) → "B > A = C > D". */
export function rankingString(ranks: readonly number[]): string {
  const levels = Math.max(...ranks) + 1;
  const out: string[] = [];
  for (let l = 0; l < levels; l++)
    out.push(
      ranks
        .map((r, i) => (r === l ? String.fromCharCode(65 + i) : null))
        .filter((x) => x)
        .join(" = "),
    );
  return out.join(" > ");
}

function checkRanks(v: unknown, k: number): number[] {
  if (!Array.isArray(v) || v.length !== k || !v.every((x) => Number.isInteger(x) && x >= 0 && x < k)) bad(`\`ranks\` must be ${k} whole numbers in 0..${k - 1} (0 = best, equal = tie)`);
  const ranks = v as number[];
  const levels = Math.max(...ranks) + 1;
  for (let l = 0; l < levels; l++) if (!ranks.includes(l)) bad(`\`ranks\` skips level ${l}: levels must be 0, 1, 2 … without gaps`);
  if (levels < 2) bad("every response is tied: a ranking needs at least two levels (skip the prompt instead)");
  return ranks;
}

/** A ranking submission → the line to write. `now` is the server's clock. */
export function labelLine(body: unknown, set: CandidateSet, now: Date): LabelLine {
  const o = object(body);
  const k = set.responses.length;
  const ratings = o.ratings;
  if (!Array.isArray(ratings) || ratings.length !== k || !ratings.every((r) => Number.isInteger(r) && r >= RATING_MIN && r <= RATING_MAX)) bad(`\`ratings\` must be ${k} whole numbers from ${RATING_MIN} to ${RATING_MAX}`);
  const flags = o.flags;
  if (!Array.isArray(flags) || flags.length !== k || !flags.every((f) => Array.isArray(f) && f.every((x) => typeof x === "string" && FLAG_IDS.has(x)) && new Set(f).size === f.length))
    bad(`\`flags\` must be ${k} lists of distinct flag ids (${[...FLAG_IDS].join(", ")})`);
  const ranks = checkRanks(o.ranks, k);
  return {
    prompt: set.prompt,
    responses: set.responses,
    ranking: rankingString(ranks),
    ratings: ratings as number[],
    flags: flags as string[][],
    labeler: checkLabeler(o.labeler),
    time: now.toISOString(),
    seconds: seconds(o.seconds),
    set: set.id,
    model: set.model,
    submission: checkSubmissionId(o.submission),
    ...set.extra,
  };
}

/** A skip submission → the line to write. */
export function skipLine(body: unknown, set: CandidateSet, now: Date): SkipLine {
  const o = object(body);
  const reason = typeof o.reason === "string" ? o.reason.trim() : "";
  if (!reason || reason.length > MAX_REASON) bad(`a skip needs a reason (1–${MAX_REASON} characters)`);
  return { skip: true, set: set.id, labeler: checkLabeler(o.labeler), reason, time: now.toISOString(), seconds: seconds(o.seconds), submission: checkSubmissionId(o.submission) };
}
