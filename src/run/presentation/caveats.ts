// What is said beside an eval's figure wherever it is printed (the report and `alignc run`'s closing
// summary): that it is not held out (texts a training pool holds, or the training split by design) and
// that its judge is no independent one. The closing summary printed the figure alone, so a figure on
// training text read like a held-out one there (figures38 #3).
import type { Manifest, SampleRow } from "../storage/rundir.js";

/** Said beside a figure on the training split by design (`split = train`, `train(…)`). */
export const TRAINING_SPLIT_NOTE = "(the training split, by design: not held out)";

export interface Caveat {
  text: string;
  /** a figure on text a stage trained on, not by design: shown as a warning */
  bad?: true;
}

/** The caveats of each eval of a run, by node id. `samples`: the run's samples.jsonl rows (their judge notes). */
export function evalCaveats(m: Manifest, samples: readonly SampleRow[]): (id: string) => Caveat[] {
  const c = m.contamination;
  const notChecked = Array.isArray(c?.notChecked) ? c.notChecked : [];
  const found = leaksFound(m);
  const corpus = tokenizerNotes(m);
  const judge = new Map<string, string>();
  for (const s of samples) if (typeof s.judge_note === "string" && !judge.has(s.eval)) judge.set(s.eval, s.judge_note);
  return (id) => [
    ...(judge.has(id) ? [{ text: `(${judge.get(id)!})` }] : []),
    ...(notChecked.includes(id) ? [{ text: TRAINING_SPLIT_NOTE }] : []),
    ...(found.has(id) ? [{ text: `⚠ not held out: ${found.get(id)!.join(", ")}`, bad: true as const }] : []),
    ...(corpus.has(id) ? [{ text: corpus.get(id)! }] : []),
  ];
}

/** Per evaluated block, the training pools holding its texts, as said: "3 of its texts in sft.data (demos)".
 * "Of its texts": the count is of evaluated texts (a text pool's lines), not of the sequences a loss packs
 * them into, which the same line reports ("on 13 sequences" beside "137 in …"; figuresP41 L2). */
export function leaksFound(m: Manifest): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const p of m.contamination?.pairs ?? []) found.set(p.evalBlock, [...(found.get(p.evalBlock) ?? []), `${p.count} of its texts in ${p.trainPool}`]);
  return found;
}

/** Per evaluated block, what a BPE tokenizer's corpus holds of its text: held out from every model, not
 * from the tokenizer's merges (the report said "held out (checked)" alone; figures38 #6). */
export function tokenizerNotes(m: Manifest): Map<string, string> {
  const by = new Map<string, string[]>();
  for (const p of m.contamination?.tokenizerCorpora ?? []) by.set(p.evalBlock, [...(by.get(p.evalBlock) ?? []), `${p.count} of its texts in ${p.trainPool}`]);
  return new Map([...by].map(([b, ls]) => [b, `(its text is in a tokenizer's corpus: ${ls.join(", ")}; the merges were fit on it, no model trained on it)`]));
}
