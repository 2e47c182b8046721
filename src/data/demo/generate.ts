// Generates the bundled demo data in recipes/data/ (deterministic: a fixed seed, no clock, no
// environment). `npm run data:generate` rewrites the files; they are committed, so a checkout needs
// no generation step. See recipes/data/README.md for the rules each file follows.
//
// Pools are disjoint by construction: every question text of the bank (src/data/demo/questions.ts)
// goes to exactly one of demonstrations (SFT), rankings (the reward model; recipes hold out part of
// them for evals) and PPO prompts; a question whose text any FLAN template of templates/flan/
// renders is dropped, so no training prompt is a held-out template's prompt and no eval prompt is
// a FLAN training prompt. test/data/demo-pools.test.ts checks the generated files.
import { join, resolve } from "node:path";
import { writeFileAtomicSync } from "../../common/atomic-write.js";
import { repoRoot } from "../../common/repo-root.js";
import { fileURLToPath } from "node:url";
import { loadTemplateDir } from "../flan/loaders.js";
import { rngFor, shuffled } from "../../common/rng.js";
import {
  additionRows,
  ANIMALS,
  cap1,
  COLORS,
  garbage,
  malformed,
  pick,
  PLANTS,
  promptText,
  questionBank,
  SEED,
  sentimentRows,
  uppercaseRows,
  WIDE_MODIFIERS,
  type Category,
  type Question,
} from "./questions.js";
import { PREAMBLE, ruleRanking } from "./rule.js";

export { PREAMBLE } from "./rule.js";
export { POSITIVE, NEGATIVE, MODIFIERS, WIDE_MODIFIERS, WORDS, sentimentRows, additionRows, uppercaseRows } from "./questions.js";

/** Share of demonstrations whose response carries the chatty preamble (a style the SFT model picks up). */
export const PREAMBLE_SHARE = 0.3;

/**
 * Questions per category and pool. Rankings: 1,600 groups, so `holdout = 0.2` leaves 320 held-out
 * prompts for `win_rate { n = 300 }`; uppercase and open_qa are few there because the SFT model
 * never gets them right, so they can only tie in a win rate. Demonstrations: more than 1,000 and
 * more than 400 in some category, so LIMA's `total = 1000  per_category = 400` is a real selection.
 */
export const POOLS: Record<Category, { rankings: number; prompts: number; demos: number }> = {
  sentiment: { rankings: 500, prompts: 300, demos: 400 },
  addition: { rankings: 300, prompts: 200, demos: 250 },
  closed_qa: { rankings: 576, prompts: 300, demos: 450 },
  classification: { rankings: 100, prompts: 64, demos: 100 },
  uppercase: { rankings: 100, prompts: 50, demos: 200 },
  open_qa: { rankings: 24, prompts: 0, demos: 48 },
};

export const normalizeText = (s: string): string => s.replace(/\s+/g, " ").trim();

/** Every prompt any FLAN template of templates/flan/ renders over the demo task rows (zero-shot, without OPTIONS), normalised. */
export function flanPromptTexts(root = repoRoot()): Set<string> {
  const rows: Record<string, Record<string, string | number>[]> = { sentiment: sentimentRows(), addition: additionRows(), uppercase: uppercaseRows() };
  const out = new Set<string>();
  for (const [task, rs] of Object.entries(rows))
    for (const t of loadTemplateDir(join(root, "templates", "flan", task))) for (const r of rs) out.add(normalizeText(t.render({ ...r, options_: "" }).input));
  return out;
}

interface Pools {
  demos: Question[];
  rankings: Question[];
  prompts: Question[];
}

function pools(): Pools {
  const flan = flanPromptTexts();
  const byCat = new Map<Category, Question[]>();
  for (const q of questionBank()) if (!flan.has(normalizeText(promptText(q)))) byCat.set(q.category, [...(byCat.get(q.category) ?? []), q]);
  const out: Pools = { demos: [], rankings: [], prompts: [] };
  for (const [cat, n] of Object.entries(POOLS) as [Category, (typeof POOLS)[Category]][]) {
    const qs = shuffled(byCat.get(cat) ?? [], rngFor(SEED, "pools", cat));
    if (qs.length < n.rankings + n.prompts + n.demos) throw new Error(`demo data: ${cat} has ${qs.length} questions, the pools ask for ${n.rankings + n.prompts + n.demos}`);
    out.rankings.push(...qs.slice(0, n.rankings));
    out.prompts.push(...qs.slice(n.rankings, n.rankings + n.prompts));
    out.demos.push(...qs.slice(n.rankings + n.prompts, n.rankings + n.prompts + n.demos));
  }
  return { demos: shuffled(out.demos, rngFor(SEED, "demos-order")), rankings: shuffled(out.rankings, rngFor(SEED, "rankings-order")), prompts: shuffled(out.prompts, rngFor(SEED, "prompts-order")) };
}

// ---------------------------------------------------------------- files
export interface DemoFiles {
  "corpus.txt": string;
  "tasks/sentiment.jsonl": string;
  "tasks/sentiment-wide.jsonl": string;
  "tasks/addition.jsonl": string;
  "tasks/uppercase.jsonl": string;
  "demos.jsonl": string;
  "rankings.jsonl": string;
  "prompts.jsonl": string;
}

const jsonl = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

function demos(qs: readonly Question[]): object[] {
  const rng = rngFor(SEED, "demos");
  return qs.map((q) => ({
    instruction: q.instruction,
    context: q.context,
    response: rng.next() < PREAMBLE_SHARE ? PREAMBLE + q.answer : q.answer,
    category: q.category,
  }));
}

/**
 * Rankings, K in 4..9, ranked by the rule (src/data/demo/rule.ts; rank 0 best, equal classes tie).
 * Every group holds the correct answer, the correct answer after the preamble, the preamble before
 * a wrong answer (so the preamble comes with wrong answers exactly as often as with right ones and
 * says nothing about correctness), and a wrong answer of the same task; the other K − 4 slots are
 * drawn from more wrong answers, malformed ones (truncated, repeated, wrong case, a bare preamble),
 * another task's right answer and garbage, without repeating a response.
 */
function rankings(qs: readonly Question[], answersByCat: Map<Category, string[]>): object[] {
  const rng = rngFor(SEED, "rankings");
  const cats = [...answersByCat.keys()];
  return qs.map((q) => {
    const K = 4 + rng.int(6);
    const cands: string[] = [];
    const add = (s: string) => {
      if (s.trim() && !cands.includes(s)) {
        cands.push(s);
        return true;
      }
      return false;
    };
    add(q.answer);
    add(PREAMBLE + q.answer);
    for (let tries = 0; !add(PREAMBLE + q.wrong(rng)) && tries < 10; tries++);
    for (let tries = 0; !add(q.wrong(rng)) && tries < 10; tries++);
    const crossTask = () => pick(answersByCat.get(pick(cats.filter((c) => c !== q.category), rng))!, rng);
    for (let tries = 0; cands.length < K && tries < 50; tries++) {
      const u = rng.next();
      add(u < 0.25 ? q.wrong(rng) : u < 0.6 ? malformed(q.answer, rng) : u < 0.85 ? crossTask() : garbage(rng));
    }
    const shown = shuffled(cands, rng);
    return { prompt: promptText(q), responses: shown, ranking: ruleRanking(shown, q.answer), task: q.category, answer: q.answer };
  });
}

/** PPO's prompts with their reference answers (the rule reward and rule judges read `response`). */
function ppoPrompts(qs: readonly Question[]): object[] {
  return qs.map((q) => ({ prompt: promptText(q), response: q.answer, task: q.category }));
}

const FILLER_SUBJECTS = ["The cat", "A dog", "The bird", "My friend", "The boy", "A girl", "The old man", "Her sister", "The farmer", "A child"];
const FILLER_VERBS = ["sees", "likes", "finds", "has", "wants", "holds", "makes", "takes", "reads", "keeps"];
const FILLER_OBJECTS = ["a red ball", "the big box", "a small cup", "the green hat", "a blue pen", "the old book", "a warm cake", "the new car", "a tiny key", "the long road"];
const FILLER_TAILS = ["", " today", " at home", " in the park", " every day", " again"];

function corpus(): string[] {
  const rng = rngFor(SEED, "corpus");
  const facts: string[] = [];
  for (const r of sentimentRows()) facts.push(`"${r.phrase}" is ${r.label}.`, `${cap1(r.phrase)} is a ${r.label} phrase.`);
  // never the bare `a+b=` form: that is an addition prompt verbatim (flan-zero-shot holds the task out)
  for (const r of additionRows()) facts.push(`${r.a} plus ${r.b} is ${r.sum}.`);
  for (const r of uppercaseRows()) facts.push(`${cap1(r.word)} in capitals is ${r.upper}.`, `The word ${r.word} in caps is ${r.upper}.`);
  for (const [thing, color] of COLORS) facts.push(`${cap1(thing)} is ${color}.`);
  for (const a of ANIMALS) facts.push(`A ${a} is an animal.`);
  for (const p of PLANTS) facts.push(`A ${p} is a plant.`);
  const plain: string[] = [];
  // ~30% facts: 70% simple sentences
  const nPlain = Math.round((facts.length * 0.7) / 0.3);
  for (let i = 0; i < nPlain; i++) plain.push(`${pick(FILLER_SUBJECTS, rng)} ${pick(FILLER_VERBS, rng)} ${pick(FILLER_OBJECTS, rng)}${pick(FILLER_TAILS, rng)}.`);
  // each line once: the held-out lines of a pretrain split must be text the training lines do not hold
  return shuffled([...new Set([...facts, ...plain])], rng);
}

export function generateDemoFiles(): DemoFiles {
  const p = pools();
  const answersByCat = new Map<Category, string[]>();
  for (const q of questionBank()) answersByCat.set(q.category, [...new Set([...(answersByCat.get(q.category) ?? []), q.answer])]);
  return {
    "corpus.txt": corpus().join("\n") + "\n",
    "tasks/sentiment.jsonl": jsonl(sentimentRows()),
    // a diagnosis only (no recipe's demo pools draw on it): the task with 3x the rows
    "tasks/sentiment-wide.jsonl": jsonl(sentimentRows(WIDE_MODIFIERS, "sentiment-wide")),
    "tasks/addition.jsonl": jsonl(additionRows()),
    "tasks/uppercase.jsonl": jsonl(uppercaseRows()),
    "demos.jsonl": jsonl(demos(p.demos)),
    "rankings.jsonl": jsonl(rankings(p.rankings, answersByCat)),
    "prompts.jsonl": jsonl(ppoPrompts(p.prompts)),
  };
}

/** Write the files atomically (temp file + rename) under `dir`. */
export function writeDemoFiles(dir: string): string[] {
  const files = generateDemoFiles();
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileAtomicSync(path, text);
    written.push(path);
  }
  return written;
}

// `node --import tsx src/data/demo/generate.ts [DIR]` (npm run data:generate)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ? resolve(process.argv[2]) : join(repoRoot(), "recipes", "data");
  for (const f of writeDemoFiles(dir)) console.log(`wrote ${f}`);
}
