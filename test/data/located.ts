// A data diagnostic as a reader sees it: its location (file:line when it has a span, the file alone
// otherwise), then its message. Data messages leave the file and line to the location, so a test
// that asserts "names file:line" matches this text.
import type { Diagnostic } from "../../src/lang/diagnostic.js";

export function located(d: Diagnostic): string {
  return `${d.span ? `${d.file}:${d.span.line}` : d.file}: ${d.message}`;
}
