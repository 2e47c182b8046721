// The contamination report as text (`alignc data RECIPE --leaks`): rendering apart from the check
// (leaks.ts) and its near duplicates (ngram-overlap.ts), so `leaks: N` is written in one place, last.
import type { LeakReport } from "./leaks.js";

/** `alignc data --leaks`: one paragraph per leaking pair of pools, then `more` (the near duplicates of
 * `--ngram`), then `leaks: N`. */
export function leakText(r: LeakReport, more: readonly string[] = []): string {
  const lines: string[] = [];
  lines.push(`checked ${r.evalPools.length} evaluated pool(s) against ${r.trainPools.length} training pool(s)`);
  if (r.notChecked.length) lines.push(`not checked (they score the training split on purpose): ${r.notChecked.map((n) => `eval ${n}`).join(", ")}`);
  for (const l of r.leaks) {
    lines.push(``);
    lines.push(`${l.evalPool.name} ∩ ${l.trainPool.name}: ${l.count} of ${l.evalPool.texts.length} ${l.trainPool.kind === "text" ? "found in the text" : "are training prompts"}`);
    for (const x of l.examples) lines.push(`  ${JSON.stringify(x.length > 100 ? `${x.slice(0, 97)}...` : x)}`);
  }
  lines.push(...more);
  lines.push(``);
  lines.push(`leaks: ${r.total}`);
  return lines.join("\n");
}
