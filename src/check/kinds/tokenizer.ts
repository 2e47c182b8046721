// Tokenizer kinds: how text becomes token ids.
// One keyword of the kinds table (src/check/kinds.ts, which says what a schema here means).
import { dataCall, either, int, refSchema, type KindSpec } from "../kind-schemas.js";

export const TOKENIZER_KINDS: Record<string, KindSpec> = {
  byte_level: { props: {} },
  bpe: {
    props: {
      corpus: either("text it is trained on", dataCall("corpus file"), refSchema(["source:text", "source:records"], "text source")),
      vocab_size: int("merges + 256 bytes + specials", { minimum: 260, default: 512 }),
    },
    required: ["corpus"],
  },
  gpt2: { props: {} }, // GPT-2's BPE (50,257 tokens) from the gpt-tokenizer package, for GPT-2 checkpoints
};
