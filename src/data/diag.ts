// Data diagnostics (AL3xxx): every reader, template and ranking problem is reported as a located
// Diagnostic and thrown as a DataError (a DiagnosticError) to the CLI or plan boundary.
import type { Span } from "../lang/ast.js";
import { DiagnosticError, type Diagnostic } from "../lang/diagnostic.js";

/** Stable codes: tests and users match on them. */
export const CODES = {
  fileMissing: "AL3001", // file not found / unreadable
  brokenLine: "AL3002", // JSON that does not parse, CSV that does not parse
  missingField: "AL3003",
  wrongType: "AL3004",
  emptyData: "AL3005", // a source with no rows
  templateField: "AL3010", // placeholder not among the dataset's fields
  templateSyntax: "AL3011", // template file that does not parse / lacks its parts
  unsupportedJinja: "AL3012", // promptsource Jinja construct outside the supported subset
  templateRuntime: "AL3013", // a template that fails (or runs over its budget) while rendering
  rankingK: "AL3020", // K outside the declared range
  rankingInvalid: "AL3021", // duplicate, missing or malformed ranks
  transcript: "AL3022", // hh-rlhf pair whose transcripts cannot be split
  emptyResponse: "AL3030", // an empty response (at its row), or none left after truncation (at the stage: no-response-left.ts)
  chatTemplate: "AL3031", // chat template without the placeholders it needs
  emptyPrompt: "AL3033", // a demonstrations source's row (SFT data, or PPO prompts read from one) whose prompt renders empty, at its row; a ranking or pair whose prompt template (or message list) prints nothing
  truncation: "AL3032", // (warning) over 1% of a stage's examples lose response tokens to truncation (src/data/truncation-report.ts)
  mixture: "AL3040", // unknown component, unusable block
  tokenizer: "AL3050",
  unsupported: "AL3060", // a block kind the data layer cannot build
  notDrawn: "AL3061", // ranked samples whose draw is not in the cache yet, or was made from another output of its stage: `alignc run … --until NAME/draw` first (src/data/build-samples.ts)
  leak: "AL3070", // (warning) an evaluated prompt or held-out text also in a training pool (src/data/leaks.ts)
  emptyEval: "AL3071", // an eval whose data holds no example: nothing to measure (src/data/empty-splits.ts)
  emptyHeldout: "AL3072", // (warning) a pretrain stage whose written (or gated) holdout share keeps no line out: no val_loss (src/data/empty-splits.ts)
} as const;

/** Codes no longer raised: each keeps its number (never reused for another meaning) and says why. */
export const RETIRED_DATA_CODES = {
  AL3023:
    "(retired) a rule-ranked samples source whose prompts lack reference answers: every prompts reader now gives one or refuses first (AL2040, AL3060, AL3030)",
} as const;

/** What each code means, for `alignc explain` (one sentence each; the type keeps it complete). */
export const DATA_CODE_MEANINGS: Record<(typeof CODES)[keyof typeof CODES] | keyof typeof RETIRED_DATA_CODES, string> = {
  ...RETIRED_DATA_CODES,
  AL3001: "a data file or template folder cannot be read: not found, not a regular file, too large to read whole, or a folder without .hbs templates",
  AL3002: "a row that does not parse: a JSONL line that is not JSON (or longer than 64 Mi characters), a CSV row that is not CSV, bytes that are not the declared encoding",
  AL3003: "a row lacks a field the source or template reads",
  AL3004: "a field has the wrong type (e.g. `responses` not a list of strings)",
  AL3005: "a source or task with no rows",
  AL3010: "a template names a field the rows do not have",
  AL3011: "a template file that does not parse or lacks its parts (input, `|||`, target)",
  AL3012: "a promptsource template uses Jinja outside the subset alignc renders",
  AL3013: "a template fails (or runs over its budget) while rendering",
  AL3020: "a ranking's number of responses K is outside the source's declared `k` range",
  AL3021: "a ranking with a duplicate, missing or malformed rank; a candidate set to label with the same response twice",
  AL3022: "an hh-rlhf pair whose two transcripts cannot be split into a shared prompt and two responses",
  AL3030: "an example that would train on nothing: its response is empty (at its row), or truncation to its stage's max_length leaves none of it (at the stage's `truncate` or `max_length`)",
  AL3031: "a chat template without the placeholders it needs (the prompt once, the response once after it)",
  AL3033: "a demonstration whose prompt (with its context) is empty, at its row: an empty field, or a template that prints nothing (`prompt = \"\"`, `{{#each}}` over a string); a ranking or pair whose prompt template or message list prints nothing",
  AL3032: "(warning) over 1% of a stage's examples lose response tokens to truncation at its max_length",
  AL3040: "a mixture that cannot be built: an unknown or unusable component, or more examples than alignc holds in memory",
  AL3050: "a tokenizer that cannot be built from the recipe (no tokenizer at the root of a model's init chain, a BPE corpus that is not text)",
  AL3060: "a block used where the data layer cannot build it (text where prompts are read, a candidates source as training data …)",
  AL3061: "ranked samples whose draw is not in the cache yet, or was made from another output of its stage than the one cached now: `alignc run … --until NAME/draw` first",
  AL3070: "(warning) an evaluated prompt or held-out text is also in a training pool (contamination)",
  AL3071: "an eval whose data holds no example (a held-out split that rounds to nothing, an empty source): it would report no figure",
  AL3072: "(warning) a pretrain stage whose written `holdout` share (or one a gate reads the figures of) rounds to none of its few distinct lines: it reports no val_loss",
};

export class DataError extends DiagnosticError {
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics);
    this.name = "DataError";
    // a message leaves its file and line to the diagnostic's location; whoever prints the error
    // alone (not the rendered diagnostics) gets them here
    this.message = diagnostics.map((d) => `${d.span ? `${d.file}:${d.span.line}:${d.span.col}` : d.file}: ${d.code}: ${d.message}`).join("\n");
  }
}

export function dataDiag(code: string, message: string, file: string, span: Span | null = null, hint?: string): Diagnostic {
  return { code, severity: "error", message, file, span, ...(hint ? { hint } : {}) };
}

/** Throw one located data error. */
export function fail(code: string, message: string, file: string, span: Span | null = null, hint?: string): never {
  throw new DataError([dataDiag(code, message, file, span, hint)]);
}

/** A span covering one line, from its character offsets (for streamed files whose text is not kept). */
export function rowSpan(line: number, start: number, end: number, col = 1): Span {
  return { start: start + col - 1, end, line, col, endLine: line, endCol: end - start + 1 };
}
