// The data layer's output types: what src/plan (sizes), src/run and src/train (token arrays) and
// src/export (rows for TRL / OpenRLHF / Axolotl) code against. Everything is plain JSON so it hashes
// and exports without conversion. Spans are half-open character ranges [start, end) into `text`.

/** Where an example came from: enough to count per task/template in `alignc data --stats`. */
export interface ExampleMeta {
  source: string; // block name of the task/source that produced it ("sentiment", "demos")
  task?: string; // FLAN task name (same as source for flan tasks)
  template?: string; // template id: file name without extension, or "v1/3" for imported patterns
  shots?: number; // k-shot exemplars prepended (0 = zero-shot)
  inverted?: boolean; // input-inverted: the prompt gives the target and asks for the input
  options?: boolean; // FLAN OPTIONS list shown
  category?: string; // Dolly category, or "sentiment"/… for tasks
  row?: number; // index of the source row (0-based) within its file
  line?: number; // 1-based line of the row in its file (JSONL/CSV/text)
  heldout?: boolean; // from a held-out row, template or task (kept for evaluation)
}

/** A raw prompt/response pair before chat formatting. */
export interface PromptResponse {
  id: string; // stable: source + row + template + variant
  prompt: string;
  response: string;
  system?: string;
  meta: ExampleMeta;
}

/** What a model is asked: the user turn and the system text it was formatted with (evals prompt with both, as training did). */
export type Asked = Pick<PromptResponse, "prompt" | "system">;

/** A formatted SFT example: `text` is what the model sees; spans mark prompt and response in it. */
export interface SFTExample {
  id: string;
  prompt: string; // unformatted prompt (the user turn)
  response: string; // unformatted response (the assistant turn)
  system?: string; // the row's or group's own system text, when any (an accuracy eval prompts with it; a format block's default is applied by the format itself)
  text: string; // the whole formatted sequence
  promptSpan: [number, number]; // [start, end) of the prompt text inside `text`
  responseSpan: [number, number]; // [start, end) of the response inside `text`; text.slice(...) === response
  meta: ExampleMeta;
}

/** Token form of a sequence. `lossMask[i]` is 1 where token i is a response token (trained on). */
export interface TokenizedExample {
  id: string;
  tokens: number[];
  lossMask: number[]; // same length as tokens; 1 on response tokens (and the closing EOS), 0 elsewhere
  truncated?: boolean;
}

/** K responses to one prompt with their pairwise preferences (InstructGPT RM data). */
export interface ComparisonGroup {
  id: string;
  prompt: string;
  responses: string[]; // K responses
  pairs: [winner: number, loser: number][]; // indices into responses; C(K,2) minus ties
  ranks?: number[]; // rank of each response (0 = best; equal numbers are ties)
  reference?: string; // the correct answer when the data knows it (rule judges)
  system?: string;
  meta: ExampleMeta;
}

/** A text corpus (pretraining / ptx data): one document per line or per row. */
export interface TextCorpus {
  id: string;
  lines: string[];
  meta: { source: string; file?: string };
}

/** Train / held-out split of any example type. */
export interface Split<T> {
  train: T[];
  heldout: T[];
}

/** How `alignc data --stats` explains a task's templates: which count as inverted, and why. */
export interface TemplateNote {
  task: string;
  id: string;
  role: "direct" | "inverted" | "auxiliary";
  reason: string;
  heldout: boolean; // kept out of training (holdout_templates)
}

/** Rows a source skipped (`on_error = "skip"`, or ranked samples without a comparison): how many and the first few reasons. */
export interface SkippedRows {
  source: string;
  file: string;
  count: number;
  reasons: string[]; // `line N: …` of `file` where the row has a line, clipped; at most SKIP_REASONS_SHOWN
  /** The split the rows belong to, where a source splits before it skips (ranked samples: the
   * held-out prompts are chosen before the draw); absent when the rows were left out before any split. */
  split?: "train" | "heldout";
}

/** What the build learnt about its inputs besides the examples (shown by `data --stats`, kept in run records). */
export interface DataNotes {
  templates?: TemplateNote[];
  skipped?: SkippedRows[];
  /** what each mixture's selection left out (dedup, length bounds, per_category), where it left any */
  mixed?: MixtureDrops[];
}

/** Examples a mixture left out before sampling (mix.ts `dropped`), so `data --stats` can say so. */
export interface MixtureDrops {
  mixture: string;
  dedup: string;
  duplicates: number;
  differentResponse: number;
  length: number;
  quota: number;
}

/** What `buildExamples` returns for one block, tagged by what the block produces. */
export type BuiltData =
  | {
      kind: "sft";
      name: string;
      notes?: DataNotes;
      train: SFTExample[];
      heldout: SFTExample[]; // held-out rows, rendered with training templates
      heldoutTemplates: SFTExample[]; // zero-shot examples on the templates kept out of training
      heldoutTasks: SFTExample[]; // zero-shot examples of a mixture's held-out tasks (`heldout_tasks`), over all their templates
      promptsOnly?: true; // a prompts source's (`as prompts`): each example the prompt as asked, its response empty
    }
  | { kind: "comparisons"; name: string; train: ComparisonGroup[]; heldout: ComparisonGroup[]; notes?: DataNotes }
  | { kind: "text"; name: string; train: TextCorpus; heldout: TextCorpus; notes?: DataNotes };

/** Cheap size estimate for the planner (no formatting, no tokenization of every row). */
export interface DataStats {
  name: string;
  kind: "sft" | "comparisons" | "text" | "prompts"; // prompts: a stage's `prompts` as the policy sees them (prompt-only text)
  examples: number; // training examples (or groups, or lines, or prompts)
  heldout: number;
  comparisons?: number; // total pairs (rankings)
  responses?: number; // total responses (rankings: K per group)
  chars: number; // total characters of the training text (estimate when `estimated`)
  tokens: number; // total tokens (estimate when `estimated`)
  meanTokens: number;
  maxTokens: number;
  /** token length of a training row at each twentieth of the sample (stats.ts LENGTH_QUANTILES); absent for text */
  lengths?: number[];
  estimated: boolean; // true when derived from a sample rather than every row
  perTask?: Record<string, number>;
}

/** A tokenizer: ids are dense in [0, vocabSize). */
export interface Tokenizer {
  name: string; // "byte_level", "bpe:512:<hash8>", "gpt2"
  vocabSize: number;
  encode(s: string): number[];
  decode(ids: number[]): string;
  eos: number;
  pad: number;
  bos?: number;
}

/** A chat format: turns a prompt/response into text with exact spans. */
export interface ChatFormat {
  name: string;
  format(prompt: string, response: string, system?: string): { text: string; promptSpan: [number, number]; responseSpan: [number, number] };
  /** The text a model is given to generate a response (everything before the response span). */
  promptOnly(prompt: string, system?: string): string;
}
