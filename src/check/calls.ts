// The functions a value may call, and what their arguments are. Path arguments resolve against the
// folder of the recipe that wrote them and must exist; split arguments name a data block.

/** FLAN's pattern versions (flan/templates.py: PATTERNS and PATTERNS_V2); the lowering writes v1 when left out. */
export const FLAN_VERSIONS = ["v1", "v2"] as const;

export type CallSpec =
  // extra: optional string args after the path; extraValues: the values each may take (null: any string)
  | { args: "path"; expect: "file" | "dir"; description: string; extra?: string[]; extraValues?: (readonly string[] | null)[] }
  | { args: "split"; refTo: string[]; description: string };

export const CALLS: Record<string, CallSpec> = {
  jsonl: { args: "path", expect: "file", description: "JSON Lines file" },
  json: { args: "path", expect: "file", description: "JSON file (an array of rows)" },
  csv: { args: "path", expect: "file", description: "CSV file with a header row" },
  tsv: { args: "path", expect: "file", description: "tab-separated file with a header row" },
  text: { args: "path", expect: "file", description: "plain text file" },
  parquet: { args: "path", expect: "file", description: "Parquet file (Hugging Face's hub layout)" },
  dir: { args: "path", expect: "dir", description: "folder of Handlebars templates" },
  flan_templates: { args: "path", expect: "file", description: "FLAN templates file (Python patterns)", extra: ["task name in the file (default: the block name)", "version: v1 | v2"], extraValues: [null, FLAN_VERSIONS] },
  promptsource: { args: "path", expect: "file", description: "promptsource templates.yaml" },
  safetensors: { args: "path", expect: "file", description: "safetensors checkpoint" },
  chat_template: { args: "path", expect: "file", description: "Handlebars chat template" },
  hf_chat_template: { args: "path", expect: "file", description: "Hugging Face tokenizer_config.json" },
  // heldout(pre) of a pretrain stage: the share of its corpus kept out of pretraining (its `holdout`),
  // e.g. for an lm_loss eval of the alignment tax on text no stage trained on
  heldout: { args: "split", refTo: ["source", "task", "mixture", "stage:pretrain"], description: "the held-out share of a data block, or of a pretrain stage's corpus" },
  // train(pre) of a pretrain stage: the corpus it trained on, without its held-out share, e.g. as PPO's
  // ptx_data (InstructGPT's pretraining mix) while heldout(pre) measures the tax on text neither saw
  train: { args: "split", refTo: ["source", "task", "mixture", "stage:pretrain"], description: "the training share of a data block, or the part of a pretrain stage's corpus it trained on" },
};

/** Members a reference may name after a dot, by the referenced block's keyword (`prefs.prompts`). */
export const MEMBERS: Record<string, string[]> = {
  source: ["prompts"],
  task: ["prompts"],
  mixture: ["prompts"],
};
