// Closed option sets of the data layer that the kinds table offers (truncation policies, text
// encodings): here so that kinds.ts stays a table, and src/data imports its rule's names from one place.
import { oneOfStr } from "./kind-schemas.js";

/**
 * How a stage cuts a prompt/response sequence longer than its max_length (src/data/truncation.ts):
 *   prompt_first: prompt tokens from the left (the end of the prompt is what the response depends
 *     on), then the end of what the loss covers; the response stays whole while the prompt can give;
 *   left: the whole sequence from the left (Hugging Face's truncation_side = "left");
 *   right: the whole sequence from the right (Hugging Face's default; the response goes first).
 * Left out means prompt_first: no `default` is filled in, so recipes that leave it out keep their
 * plan hashes (TRUNCATE_DEFAULT is the one place that says it).
 */
export const TRUNCATE_POLICIES = ["prompt_first", "left", "right"] as const;
export const TRUNCATE_DEFAULT = "prompt_first";
export const truncate = oneOfStr([...TRUNCATE_POLICIES], "how a sequence longer than max_length is cut (default, when left out: prompt_first — the prompt loses tokens from the left before any response token is cut); `alignc data --stats` and `plan` count the examples that lose response tokens");

/**
 * Encodings a source may declare (decode.ts). UTF-8 is the default and the only one read without a
 * declaration (anything else is an error naming the byte offset). latin1 is ISO-8859-1 as Python
 * reads it (every byte is a character); windows-1252 is what Windows tools write as "ANSI"; the
 * UTF-16 pair covers Excel's "Unicode text" exports; the CJK encodings are those older published
 * corpora use. Every one except latin1 is decoded by the WHATWG TextDecoder with fatal: true, so an
 * invalid byte is still an error. No others: each listed one is tested to load byte-correct.
 */
export const ENCODINGS = ["utf-8", "latin1", "windows-1252", "iso-8859-15", "utf-16le", "utf-16be", "shift_jis", "euc-jp", "gb18030", "big5", "euc-kr"] as const;

/**
 * Properties the checker fills no default into (a recipe that leaves one out keeps its plan hashes),
 * with the value the data layer takes when one is left out (TRUNCATE_DEFAULT, bad-rows.ts failOrSkip,
 * decode.ts isUtf8). Written out, that value computes exactly what leaving it out does, so the plan
 * hash leaves it out too (src/plan/hash.ts): `truncate = "prompt_first"` written on an SFT stage
 * retrained it and everything after it (hunt K41). A test holds each to its reader.
 */
export const IMPLICIT_DEFAULTS: Readonly<Record<string, string>> = { truncate: TRUNCATE_DEFAULT, on_error: "fail", k_outside: "fail", encoding: "utf-8" };
