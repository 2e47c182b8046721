// Rankings: per prompt K responses and a ranking → all C(K,2) comparisons minus ties, grouped by
// prompt (InstructGPT's RM batches). Ranking forms, by field value:
//   - a rank list [2, 0, 1, 3]: rank of each response (0 or 1 = best), a permutation (no gaps, no repeats)
//   - a string "D > G > A = B": letters name responses (A = first); `=` is a tie; each letter once
//   - scores: a field named `scores` (or the value {scores: [...]}): higher is better, equal scores tie
//   - OASST rows {conversation, responses_ranked, ranks}
//   - pairs {chosen, rejected} with an optional prompt, or hh-rlhf whole transcripts
//     ("\n\nHuman: … \n\nAssistant: …") whose shared prefix becomes the prompt.
import { CODES, DataError, dataDiag, fail, rowSpan } from "./diag.js";
import { describe, fieldString, rowElement, type Row } from "./readers.js";
import { BadRows } from "./bad-rows.js";
import type { ComparisonGroup } from "./types.js";
import type { Span } from "../lang/ast.js";
import { mappingTemplate } from "./demos.js";
import { fieldsOf } from "./flan/render.js";
import { placeholderProblem, type CompiledPart } from "./flan/template.js";
import { isMessageList, parseMessages, splitPreference } from "./messages.js";

/** Responses one ranking row may hold: C(64, 2) = 2,016 comparisons from one prompt. */
export const MAX_RESPONSES = 64;

export interface RankingSpec {
  name: string;
  file: string;
  rows: Row[];
  shape?: string; // auto | oasst | hh | plain
  role?: "rankings" | "pairs";
  promptTemplate?: string; // Handlebars over the row (the source's `prompt` property); without it a row's `prompt` (or `instruction`) field
  // The field names (the source's resolved parameters: the kinds table, src/check/kinds/source.ts, holds their defaults)
  responses: string; // field of the K responses (rankings)
  ranking: string; // field of the ranking (rankings)
  chosen: string; // field of the preferred response (pairs)
  rejected: string; // field of the dispreferred response (pairs)
  k?: [number, number];
  /** rows whose K is outside `k`: fail (an error naming the option) or skip (counted in `kSkipped`) */
  kOutside?: "fail" | "skip";
  /** filled with the number of rows k_outside = "skip" left out */
  kSkipped?: { count: number };
  /** rows whose every ranked-apart pair compares two copies of one text: left out (counted here) */
  sameSkipped?: { count: number };
  /** bad-row policy (bad-rows.ts); default: fail on every bad row, all of them reported */
  bad?: BadRows;
  system?: string;
  templateSite?: { file: string; span?: Span }; // where `promptTemplate` was written
  /** where `chosen`/`rejected` were written, when they are templates rather than field names */
  pairSites?: { chosen?: { file: string; span?: Span }; rejected?: { file: string; span?: Span } };
}

/** Ranks (0 = best, equal = tie) → [winner, loser] pairs: every pair of different rank. */
export function pairsFromRanks(ranks: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < ranks.length; i++)
    for (let j = i + 1; j < ranks.length; j++) {
      if (ranks[i]! < ranks[j]!) out.push([i, j]);
      else if (ranks[j]! < ranks[i]!) out.push([j, i]);
    }
  return out;
}

/** "D > G > A = B" → ranks per response index (K = number of responses). Throws Error with a reason. */
export function parseRankingString(s: string, k: number): number[] {
  // letters name 26 responses; a larger K (up to 64) is ranked by a list or scores
  if (k > 26) throw new Error(`a ranking string names at most 26 responses (A–Z), and this row has ${k}: write the ranking as a rank list ([1, 3, 2, …]) or as \`scores\``);
  const ranks = new Array<number>(k).fill(-1);
  const levels = s.split(">").map((lvl) => lvl.split("=").map((x) => x.trim()));
  levels.forEach((names, level) => {
    for (const n of names) {
      if (!/^[A-Z]$/.test(n)) throw new Error(`\`${n || "(empty)"}\` is not a response letter (A–${String.fromCharCode(64 + k)})`);
      const i = n.charCodeAt(0) - 65;
      if (i >= k) throw new Error(`\`${n}\` names a response that does not exist (K = ${k})`);
      if (ranks[i] !== -1) throw new Error(`\`${n}\` is ranked twice`);
      ranks[i] = level;
    }
  });
  const missing = ranks.map((r, i) => (r === -1 ? String.fromCharCode(65 + i) : null)).filter((x) => x);
  if (missing.length) throw new Error(`response${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not ranked`);
  return ranks;
}

/** A rank list must be a permutation of 0..K-1 or 1..K. */
export function checkRankList(v: readonly unknown[], k: number): number[] {
  if (v.length !== k) throw new Error(`${v.length} ranks for ${k} responses`);
  if (!v.every((x) => Number.isInteger(x))) throw new Error("ranks must be integers");
  const r = v as number[];
  const base = Math.min(...r);
  if (base !== 0 && base !== 1) throw new Error(`ranks start at ${base}; use 0 or 1 for the best`);
  const seen = new Set<number>();
  for (const x of r) {
    if (seen.has(x)) throw new Error(`rank ${x} appears twice (write ties as "A = B" or equal scores)`);
    seen.add(x);
  }
  for (let x = base; x < base + k; x++) if (!seen.has(x)) throw new Error(`rank ${x} is missing`);
  return r.map((x) => x - base);
}

/** Scores (higher is better) → ranks (0 = best, ties share a rank). */
export function ranksFromScores(scores: readonly number[]): number[] {
  const distinct = [...new Set(scores)].sort((a, b) => b - a);
  return scores.map((s) => distinct.indexOf(s));
}

const HH_ASSISTANT = "\n\nAssistant:";

/**
 * Split an hh-rlhf pair of transcripts into the shared prompt and the two final assistant turns: at
 * the last "\n\nAssistant:" inside the longest common prefix of the two. The responses may
 * themselves contain "Human:"/"Assistant:" turns (published rows do): they stay in the responses.
 */
export function splitTranscripts(chosen: string, rejected: string): { prompt: string; chosen: string; rejected: string } | null {
  let lcp = 0;
  const n = Math.min(chosen.length, rejected.length);
  while (lcp < n && chosen.charCodeAt(lcp) === rejected.charCodeAt(lcp)) lcp++;
  const at = lcp >= HH_ASSISTANT.length ? chosen.lastIndexOf(HH_ASSISTANT, lcp - HH_ASSISTANT.length) : -1;
  if (at < 0) return null;
  const cut = at + HH_ASSISTANT.length;
  return { prompt: chosen.slice(0, at).trim(), chosen: chosen.slice(cut).trim(), rejected: rejected.slice(cut).trim() };
}

type Layout = "oasst" | "hh" | "pairs" | "plain";

/** What is wrong with a per-response list (`ranks`, `scores`): its length against the responses', or its
 * first entry of the wrong kind. It said "`ranks` needs 0 integers" of a row with no responses, and
 * "`scores` needs 2 numbers" of [1e999, 2] (huntA39 F7). */
function rankListProblem(name: string, list: readonly unknown[], responses: number, ok: (x: unknown) => boolean, what: string): string {
  if (responses < 2) return `the row holds ${responses} response${responses === 1 ? "" : "s"}: a ranking compares at least 2`;
  if (list.length !== responses) return `\`${name}\` has ${list.length} entr${list.length === 1 ? "y" : "ies"} for ${responses} responses: one per response`;
  const i = list.findIndex((x) => !ok(x));
  const x = list[i];
  // a number past a double's range (1e999) is read as its text (json-exact.ts): said as such
  const got = typeof x === "string" ? `the text ${JSON.stringify(x.slice(0, 40))}${Math.abs(Number(x)) === Infinity ? " (a number past a double's range, read as text)" : ""}` : describe(x);
  return `\`${name}[${i}]\` must be ${what}, got ${got}`;
}

/** A `chosen`/`rejected` value that is a Handlebars template over the row, not a field name: published
 * pairs that name their winner by a label (SHP's `labels`, summarize-from-feedback's `choice`) are read
 * by writing which field wins, e.g. `chosen = "{{#if labels}}{{human_ref_A}}{{else}}{{human_ref_B}}{{/if}}"`. */
const isTemplate = (v: string): boolean => v.includes("{{");

/** A template's rendering of one row, its placeholders checked against the row first (a located bad row). */
function render(row: Row, spec: RankingSpec, tpl: CompiledPart): string {
  for (const p of tpl.placeholders) {
    const problem = placeholderProblem(p, row.data);
    if (problem) fail(problem.code, problem.message, spec.file, rowSpan(row.line, row.start, row.end, row.col));
  }
  return tpl.render(row.data);
}

/** One row's layout by its fields. */
function layoutOf(f: Row["data"], spec: RankingSpec): Layout {
  if ("responses_ranked" in f) return "oasst";
  // a pair row whose prompt is apart (a `prompt` or Alpaca's `instruction` field, or the source's own `prompt`
  // template) is a pair; without one, hh-rlhf's whole transcripts (an `instruction` row or a template was read
  // as transcripts, every row AL3022: reviewC39 M3)
  if (spec.chosen in f || isTemplate(spec.chosen)) return "prompt" in f || "instruction" in f || spec.promptTemplate !== undefined ? "pairs" : "hh";
  return "plain";
}

/** The file's layout: the one most of its rows have (the first row's on a tie). It was the first row's
 * alone: one bad first row made every good row of an OASST or hh-rlhf file "missing field `prompt`", and
 * with `on_error = "skip"` dropped them all (huntA39 F2); now that row is the one reported. */
function detect(rows: readonly Row[], spec: RankingSpec): Layout {
  if (spec.shape && spec.shape !== "auto" && spec.shape !== "dolly" && spec.shape !== "alpaca") return spec.shape === "plain" && spec.role === "pairs" ? "pairs" : (spec.shape as "oasst" | "hh" | "plain");
  const counts = new Map<Layout, number>();
  for (const r of rows) {
    const l = layoutOf(r.data, spec);
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  const first = rows[0] ? layoutOf(rows[0].data, spec) : "plain";
  let best = first;
  for (const [l, n] of counts) if (n > counts.get(best)!) best = l;
  return best;
}

function promptOf(row: Row, spec: RankingSpec, tpl: CompiledPart | null): string {
  if (tpl) return render(row, spec, tpl);
  // without a `prompt` template, the row layouts alignc reads name the prompt `prompt` (or Alpaca's `instruction`)
  if ("prompt" in row.data) return fieldString(row, "prompt", spec.file);
  if ("instruction" in row.data) return fieldString(row, "instruction", spec.file);
  return fieldString(row, "prompt", spec.file);
}

/** The roles of OASST's messages: its prompter is the user ("user" or "human" as chat exports of it write it). */
const OASST_ROLES: Record<string, string> = { prompter: "User", user: "User", human: "User", assistant: "Assistant" };

/** OASST conversation → prompt: the first message, then later turns marked by role. Each message is an
 * object with a string `text` and a role OASST writes: a `null`, a string or a message without text was an
 * exit 70 or an empty or made-up prompt (`[object Object]`, a bare "User: "; hunt37). */
function oasstPrompt(row: Row, file: string): string {
  const at = rowSpan(row.line, row.start, row.end, row.col);
  const bad = (msg: string): never => fail(CODES.wrongType, `${rowElement(row)}${msg}`, file, at);
  const conv = row.data.conversation;
  if (!Array.isArray(conv) || conv.length === 0) bad("`conversation` must be a non-empty list of {role, text}");
  return (conv as unknown[])
    .map((m, i) => {
      if (m === null || typeof m !== "object" || Array.isArray(m)) return bad(`\`conversation[${i}]\` must be an object {role, text}, got ${describe(m)}`);
      const { role, text } = m as { role?: unknown; text?: unknown };
      if (typeof text !== "string") return bad(`\`conversation[${i}].text\` must be a string, got ${text === undefined ? "nothing" : describe(text)}`);
      const who = typeof role === "string" && Object.hasOwn(OASST_ROLES, role) ? OASST_ROLES[role] : undefined;
      if (who === undefined) return bad(`\`conversation[${i}].role\` must be "prompter" (or "user", "human") or "assistant", got ${typeof role === "string" ? JSON.stringify(role) : role === undefined ? "nothing" : describe(role)}`);
      return i === 0 ? text : `${who}: ${text}`;
    })
    .join("\n\n");
}

/** A pair row whose `chosen`/`rejected` are message lists: its prompt is the row's own (a message list,
 * or the source's template), else the messages both lists start with; a string `prompt` beside lists
 * that repeat the user turn (UltraFeedback-binarized) is that turn, so the shared messages are taken,
 * as TRL's maybe_extract_prompt takes them (trl/data_utils.py). */
function conversationalPair(row: Row, spec: RankingSpec, tpl: CompiledPart | null, err: (code: string, msg: string) => never): { prompt: string; responses: string[]; system?: string } {
  const names = { chosen: spec.chosen, rejected: spec.rejected };
  let split: ReturnType<typeof splitPreference>;
  try {
    const own = isMessageList(row.data.prompt) ? parseMessages(row.data.prompt, "prompt") : null;
    split = splitPreference(parseMessages(row.data[spec.chosen], spec.chosen), parseMessages(row.data[spec.rejected], spec.rejected), tpl ? null : own, names);
  } catch (e) {
    return err(CODES.wrongType, (e as Error).message);
  }
  // lists of answers alone beside a string prompt: that prompt (the layout of TRL's standard preference rows)
  const stated = !tpl && split.prompt !== null && typeof row.data.prompt === "string" ? row.data.prompt : null;
  // a string prompt beside lists that repeat the conversation (UltraFeedback-binarized) is that
  // conversation, or one of its user turns (TRL's maybe_extract_prompt takes the shared turns whatever
  // the string says): one that is neither would be dropped for the shared turns without a word, so it is
  // said (whitespace aside; reviewR42 M2)
  const norm = (t: string) => t.replace(/\s+/g, " ").trim();
  if (stated !== null && norm(stated) !== norm(split.prompt!) && !split.userTurns.some((t) => norm(t) === norm(stated)))
    return err(CODES.wrongType, `\`prompt\` is not the turns \`${spec.chosen}\` and \`${spec.rejected}\` both start with (${JSON.stringify(split.prompt!.slice(0, 80))}): which one they answer is unclear; drop the shared turns from the lists, or write \`prompt\` as those turns`);
  const prompt = tpl ? promptOf(row, spec, tpl) : (split.prompt ?? ("prompt" in row.data || "instruction" in row.data ? promptOf(row, spec, null) : null));
  if (prompt === null)
    return err(CODES.missingField, `\`${spec.chosen}\` and \`${spec.rejected}\` share no leading message and the row has no prompt messages: nothing says what they answer (a \`prompt\` list of messages, or the source's \`prompt\` template, would)`);
  return { prompt, responses: [split.chosen, split.rejected], ...(split.system !== undefined ? { system: split.system } : {}) };
}

/** Read ranking or pair rows into comparison groups. Every offender is reported. */
export function readRankings(spec: RankingSpec): ComparisonGroup[] {
  if (spec.rows.length === 0) fail(CODES.emptyData, `the file has no rows (source \`${spec.name}\`)`, spec.file);
  const shape = detect(spec.rows, spec);
  const promptTpl = spec.promptTemplate !== undefined && shape !== "hh" && shape !== "oasst" ? mappingTemplate(spec.promptTemplate, "prompt", fieldsOf(spec.rows), spec.file, spec.templateSite) : null;
  const pairTpl = (role: "chosen" | "rejected") => (isTemplate(spec[role]) && (shape === "hh" || shape === "pairs") ? mappingTemplate(spec[role], role, fieldsOf(spec.rows), spec.file, spec.pairSites?.[role]) : null);
  const chosenTpl = pairTpl("chosen");
  const rejectedTpl = pairTpl("rejected");
  const bad = spec.bad ?? new BadRows(spec.name, spec.file);
  const out: ComparisonGroup[] = [];
  let kSkipped = 0;
  let sameSkipped = 0;
  const respField = spec.responses;
  const rankField = spec.ranking;
  for (const row of spec.rows) {
    const at = rowSpan(row.line, row.start, row.end, row.col);
    const err = (code: string, msg: string): never => {
      throw new DataError([dataDiag(code, `${rowElement(row)}${msg}`, spec.file, at)]);
    };
    const group = bad.guard(row, (): ComparisonGroup | null => {
      let prompt: string;
      let responses: string[];
      let ranks: number[];
      let system: string | undefined;
      let conversational = false;
      if ((shape === "hh" || shape === "pairs") && !chosenTpl && !rejectedTpl && (isMessageList(row.data[spec.chosen]) || isMessageList(row.data[spec.rejected]))) {
        // TRL's conversational preference rows (and UltraFeedback-binarized's): message lists
        ({ prompt, responses, system } = conversationalPair(row, spec, promptTpl, err));
        conversational = true;
        ranks = [0, 1];
      } else if (shape === "hh" || shape === "pairs") {
        const chosen = chosenTpl ? render(row, spec, chosenTpl) : fieldString(row, spec.chosen, spec.file);
        const rejected = rejectedTpl ? render(row, spec, rejectedTpl) : fieldString(row, spec.rejected, spec.file);
        if (shape === "hh") {
          // whole transcripts: a number is none (it was "share no prefix ending at an Assistant: turn")
          for (const f of [spec.chosen, spec.rejected]) if (!isTemplate(f) && typeof row.data[f] !== "string") return err(CODES.wrongType, `\`${f}\` must be a transcript (a string), got ${describe(row.data[f])}`);
          const s = splitTranscripts(chosen, rejected);
          // templates that pick a winner (SHP's, summarize-from-feedback's) render answers, not transcripts:
          // said as what they need, not as hh-rlhf text quoting the templates as field names (reviewR42 L3)
          if (!s && (chosenTpl || rejectedTpl))
            return err(CODES.missingField, `\`chosen\` and \`rejected\` are templates, which render the two answers: the row needs a prompt beside them, a \`prompt\` field or the source's \`prompt\` template (\`prompt = "{{history}}"\` for SHP, \`"{{info.post}}"\` for summarize-from-feedback)`);
          if (!s)
            return err(
              CODES.transcript,
              `\`${spec.chosen}\` and \`${spec.rejected}\` share no prefix ending at an "Assistant:" turn, so they are not hh-rlhf transcripts and the row names no prompt` +
                // TRL's implicit-prompt strings ("The sky is blue." / "The sky is green."): TRL cuts at the first
                // character that differs, a guess at where the prompt ends that alignc does not make
                "; TRL's implicit-prompt rows (the prompt the start of both texts) are not read: TRL cuts them at the first character that differs, a guess alignc does not make; such a file needs its prompt in a `prompt` field and only the answers in these two",
            );
          ({ prompt } = s);
          responses = [s.chosen, s.rejected];
        } else {
          prompt = promptOf(row, spec, promptTpl);
          responses = [chosen, rejected];
        }
        ranks = [0, 1];
      } else if (shape === "oasst") {
        prompt = oasstPrompt(row, spec.file);
        const rr = row.data.responses_ranked;
        if (!Array.isArray(rr) || !rr.every((x) => typeof x === "string")) return err(rr === undefined ? CODES.missingField : CODES.wrongType, rr === undefined ? "missing field `responses_ranked` (most rows of the file are OASST's layout)" : "`responses_ranked` must be a list of strings");
        responses = rr as string[];
        const rk = row.data.ranks;
        if (rk === undefined) ranks = responses.map((_, i) => i);
        else if (!Array.isArray(rk)) return err(CODES.wrongType, `\`ranks\` must be a list, got ${describe(rk)}`);
        else {
          // OASST ranks may tie; they must be integers, one per response, best = smallest
          if (rk.length !== responses.length || !rk.every((x) => Number.isInteger(x))) return err(CODES.rankingInvalid, rankListProblem("ranks", rk, responses.length, (x) => Number.isInteger(x), "an integer"));
          ranks = rk as number[];
        }
      } else {
        // a source declared `as pairs` whose rows hold no `chosen`: said of the fields it reads (SHP's and
        // summarize-from-feedback's rows were "missing field `responses`", a rankings source's field)
        if (spec.role === "pairs" && !(respField in row.data))
          return err(CODES.missingField, `missing field \`${spec.chosen}\` (fields present: ${Object.keys(row.data).join(", ") || "none"}): a source \`as pairs\` reads \`chosen\` and \`rejected\`, each a field's name or a template over the row; where a label names the winner, the templates say which field wins (\`chosen = "{{#if labels}}{{human_ref_A}}{{else}}{{human_ref_B}}{{/if}}"\`)`);
        prompt = promptOf(row, spec, promptTpl);
        const rs = row.data[respField];
        if (!Array.isArray(rs) || !rs.every((x) => typeof x === "string"))
          return err(rs === undefined ? CODES.missingField : CODES.wrongType, rs === undefined ? `missing field \`${respField}\`` : `field \`${respField}\` must be a list of strings`);
        responses = rs as string[];
        const scores = row.data.scores ?? (row.data[rankField] as { scores?: unknown } | undefined)?.scores;
        const rv = row.data[rankField];
        try {
          if (Array.isArray(scores) && (rankField === "scores" || rv === undefined || (typeof rv === "object" && !Array.isArray(rv)))) {
            if (scores.length !== responses.length || !scores.every((x) => typeof x === "number" && Number.isFinite(x))) throw new Error(rankListProblem("scores", scores, responses.length, (x) => typeof x === "number" && Number.isFinite(x), "a finite number"));
            ranks = ranksFromScores(scores as number[]);
          } else if (typeof rv === "string") ranks = parseRankingString(rv, responses.length);
          else if (Array.isArray(rv)) ranks = checkRankList(rv, responses.length);
          else if (rv === undefined) return err(CODES.missingField, `missing field \`${rankField}\``);
          else throw new Error(`\`${rankField}\` must be a rank list, a string like "B > A = C", or scores; got ${describe(rv)}`);
        } catch (e) {
          if (e instanceof DataError) throw e;
          return err(CODES.rankingInvalid, `ranking: ${(e as Error).message}`);
        }
      }
      // a prompt that is empty for this row (its field, its template or its message list): a comparison of
      // answers to nothing, as a demonstration's is (AL3033 since engine epoch 34); summarize-from-feedback's
      // CNN/DM rows have `info.post` null, and `prompt = "{{info.post}}"` read them so without a word (engine
      // epoch 37). hh-rlhf's and OASST's prompts come from their transcripts, which say so themselves.
      if ((shape !== "hh" || conversational) && shape !== "oasst" && prompt.trim() === "")
        return err(CODES.emptyPrompt, `empty prompt${promptTpl ? " (its template prints nothing for this row)" : conversational ? "" : " (field `prompt`)"}`);
      const K = responses.length;
      // `as pairs` declares chosen and rejected: K-way rankings under it were read as rankings without
      // a word (OASST's groups of up to 9, audit 32); the role the recipe declares is the one it gets
      if (spec.role === "pairs" && K !== 2) return err(CODES.rankingK, `${K} ${K === 1 ? "response" : "responses"} in a source declared \`as pairs\` (a chosen and a rejected one): ${K > 2 ? "declare it `as rankings` to read K-way rankings" : "a pair needs both"}`);
      // every pair of a row's responses is a comparison: 20,000 responses were 200 million pairs, out of memory
      if (K > MAX_RESPONSES) return err(CODES.rankingK, `${K} responses: more than the ${MAX_RESPONSES} one prompt may rank (each pair of them is a comparison, C(K,2); InstructGPT ranked 4 to 9)`);
      if (spec.k && (K < spec.k[0] || K > spec.k[1])) {
        if (spec.kOutside === "skip") {
          kSkipped++;
          return null;
        }
        return err(CODES.rankingK, `${K} responses; the source declares k = ${spec.k[0]}..${spec.k[1]} (k_outside = "skip" leaves such rows out, counted)`);
      }
      // an empty response is a real answer to compare (HH-RLHF's harmless set prefers the assistant
      // saying nothing to a harmful reply in 3 of its first 1,000 rows): the reward model scores the
      // prompt and the format's closing text and end-of-text token, DPO the log-probability of those
      // two copies of one text ranked apart are one response: a tie, not a comparison (its loss is ln 2
      // whatever the model does, and an accuracy counts it ½); a row left with no comparison is left out
      const ranked = pairsFromRanks(ranks);
      const pairs = ranked.filter(([w, l]) => responses[w] !== responses[l]);
      if (pairs.length === 0 && ranked.length > 0) {
        sameSkipped++;
        return null;
      }
      return {
        id: `${spec.name}:${row.index}`,
        prompt,
        responses,
        pairs,
        ranks,
        ...(typeof row.data.answer === "string" ? { reference: row.data.answer } : {}),
        ...(system !== undefined || spec.system ? { system: system ?? spec.system } : {}),
        meta: { source: spec.name, row: row.index, line: row.line, ...(typeof row.data.category === "string" ? { category: row.data.category } : {}), ...(typeof row.data.task === "string" ? { task: row.data.task } : {}) },
      };
    });
    if (group) out.push(group);
  }
  if (!spec.bad) bad.finish();
  if (spec.kSkipped) spec.kSkipped.count += kSkipped;
  if (spec.sameSkipped) spec.sameSkipped.count += sameSkipped;
  return out;
}

/** The pairs of a group a stage trains on: all C(K,2) minus ties, or only adjacent rank levels (`pairs = adjacent`). */
export function groupPairs(g: ComparisonGroup, mode: "all" | "adjacent"): [number, number][] {
  if (mode === "all" || !g.ranks) return g.pairs.map(([w, l]) => [w, l]);
  const levels = [...new Set(g.ranks)].sort((a, b) => a - b);
  const level = (i: number) => levels.indexOf(g.ranks![i]!);
  return g.pairs.filter(([w, l]) => level(l) - level(w) === 1).map(([w, l]) => [w, l]);
}

/** Flatten groups into (prompt, chosen, rejected) rows: TRL/OpenRLHF's pairwise shape. */
export function expandRankings(groups: readonly ComparisonGroup[], mode: "all" | "adjacent" = "all"): { id: string; prompt: string; chosen: string; rejected: string; system?: string }[] {
  const out: { id: string; prompt: string; chosen: string; rejected: string; system?: string }[] = [];
  for (const g of groups) {
    groupPairs(g, mode).forEach(([w, l], i) => out.push({ id: `${g.id}:${i}`, prompt: g.prompt, chosen: g.responses[w]!, rejected: g.responses[l]!, ...(g.system ? { system: g.system } : {}) }));
  }
  return out;
}
