// Format kinds: chat formats that turn prompt/response pairs into text.
// One keyword of the kinds table (src/check/kinds.ts, which says what a schema here means).
import { str, type KindSpec } from "../kind-schemas.js";

export const FORMAT_KINDS: Record<string, KindSpec> = {
  chat_template: {
    args: { type: "array", minItems: 1, maxItems: 1, items: { type: "string" }, description: "Handlebars file in templates/chat/" },
    props: { system: str("system message", { default: "" }) },
  },
  hf_chat_template: {
    args: { type: "array", minItems: 1, maxItems: 1, items: { type: "string" }, description: "a Hugging Face tokenizer_config.json" },
    props: { system: str("system message", { default: "" }) },
  },
};
