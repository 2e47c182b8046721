// The contamination report as text (`alignc data RECIPE --leaks`): rendering apart from the check
// (leaks.ts) and its near duplicates (ngram-overlap.ts), so `leaks: N` is written in one place, last.
import type { Leak, LeakReport } from "./leaks.js";

/** `alignc data --leaks`: one paragraph per leaking pair of pools, then `more` (the near duplicates of
 * `--ngram`), then `leaks: N`. */
export function leakText(r: LeakReport, more: readonly string[] = []): string {
  const lines: string[] = [];
  lines.push(`checked ${r.evalPools.length} evaluated pool(s) against ${r.trainPools.length} training pool(s)`);
  if (r.notChecked.length) lines.push(`not checked (they score the training split on purpose): ${r.notChecked.map((n) => `eval ${n}`).join(", ")}`);
  for (const l of r.leaks) {
    lines.push(``);
    lines.push(`${l.evalPool.name} ∩ ${l.trainPool.name}: ${l.count} of ${l.evalPool.texts.length} ${l.trainPool.kind === "text" ? "found in the text" : "are training prompts"}`);
    lines.push(...examplesOf(l));
  }
  for (const l of r.tokenizerCorpora) {
    lines.push(``);
    lines.push(`${l.evalPool.name} ∩ ${l.trainPool.name}: ${l.count} of ${l.evalPool.texts.length} in the text a tokenizer trains on (not counted in leaks: no model trains on it; its merges are fit to them)`);
    lines.push(...examplesOf(l));
  }
  lines.push(...more);
  lines.push(``);
  lines.push(`leaks: ${r.total}`);
  return lines.join("\n");
}

/** A pair's few examples, one quoted line each, cut at 100 characters. */
const examplesOf = (l: Leak): string[] => l.examples.map((x) => `  ${JSON.stringify(x.length > 100 ? `${x.slice(0, 97)}...` : x)}`);
