// A generated response as text, the way judges and the rule reward read it.
import type { ChatFormat, Tokenizer } from "../../data/types.js";

/** Text of a generated response: up to EOS, cut where the format's closing text starts, trimmed. */
export function decodeResponse(ids: readonly number[], tok: Tokenizer, fmt: ChatFormat): string {
  const end = ids.indexOf(tok.eos);
  let text = tok.decode(end >= 0 ? ids.slice(0, end) : [...ids]);
  const f = fmt.format("p", "r");
  const closing = f.text.slice(f.responseSpan[1]);
  if (closing.trim()) {
    const at = text.indexOf(closing.trim());
    if (at >= 0) text = text.slice(0, at);
  }
  return text.trim();
}
