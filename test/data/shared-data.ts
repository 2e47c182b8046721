// Loaders for the public data in ../shared/data (see its README): rows shaped for the FLAN and
// promptsource templates. Tests that use them skip when the folder is absent.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SHARED } from "./recipe-fixture.js";
import type { Row } from "../../src/data/readers.js";

export const hasShared = existsSync(SHARED);
export const shared = (p: string) => resolve(SHARED, p);

const asRows = (data: Record<string, unknown>[]): Row[] => data.map((d, i) => ({ data: d, index: i, line: i + 1, start: 0, end: 0 }));

/** SST-2 (`<0|1> <sentence>` lines) with FLAN's answer text and promptsource's integer label. */
export function sst2(limit = 200): Row[] {
  const lines = readFileSync(shared("nlp/sst2/stsa.binary.dev"), "utf8").split("\n").filter(Boolean).slice(0, limit);
  return asRows(
    lines.map((l) => {
      const label = Number(l[0]);
      return { sentence: l.slice(2), label, answer: ["negative", "positive"][label] };
    }),
  );
}

/** RTE rows with FLAN's answer (yes/no) and promptsource's label (0 = entailment). */
export function rte(limit = 200): Row[] {
  const lines = readFileSync(shared("nlp/rte/val.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, limit);
  return asRows(
    lines.map((l) => {
      const r = JSON.parse(l) as { premise: string; hypothesis: string; label: string };
      const entails = r.label === "entailment";
      return { premise: r.premise, hypothesis: r.hypothesis, label: entails ? 0 : 1, answer: entails ? "yes" : "no" };
    }),
  );
}

/** BoolQ rows mapped to FLAN's field names (passage → text). */
export function boolq(limit = 200): Row[] {
  const lines = readFileSync(shared("nlp/boolq/validation.jsonl"), "utf8").split("\n").filter(Boolean).slice(0, limit);
  return asRows(
    lines.map((l) => {
      const r = JSON.parse(l) as { question: string; title: string; passage: string; answer: boolean };
      return { question: r.question, title: r.title, text: r.passage, answer: r.answer ? "yes" : "no" };
    }),
  );
}
