// Generates the bundled demo data in recipes/data/ (deterministic: a fixed seed, no clock, no
// environment). `npm run data:generate` rewrites the files; they are committed, so a checkout needs
// no generation step. Tiny vocabularies so a 0.4M-parameter character model learns in minutes; see
// recipes/data/README.md for the rules each file follows.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rngFor, shuffled, type Rng } from "../rng.js";

const SEED = 2023;

// ---------------------------------------------------------------- vocabularies
export const POSITIVE = ["good", "great", "nice", "fine", "happy", "lovely", "fun", "cool", "warm", "kind", "bright", "sweet"];
export const NEGATIVE = ["bad", "awful", "sad", "dull", "poor", "ugly", "boring", "grim", "cold", "rude", "dark", "sour"];
export const MODIFIERS = ["very", "so", "quite", "really", "truly", "rather", "pretty", "super", "too", "most"];
export const WORDS = [
  "cat", "dog", "sun", "red", "map", "cup", "pen", "box", "hat", "bus", "car", "egg", "fox", "jam", "kit", "log", "mud", "nut", "owl", "pig",
  "rat", "sky", "toy", "van", "web", "yak", "zip", "arm", "bed", "cow", "day", "ear", "fan", "gum", "hen", "ink", "jar", "key", "leg", "man",
  "net", "oak", "pot", "rug", "sea", "tea", "urn", "vet", "wig", "bee", "ant", "bird", "fish", "frog", "tree", "rose", "moon", "star", "rain", "snow",
  "wind", "fire", "lake", "hill", "road", "door", "book", "desk", "lamp", "milk", "cake", "rice", "corn", "bean", "salt", "gold", "ring", "bell", "boat", "ship",
  "kite", "drum", "horn", "nest", "seed", "leaf", "root", "wolf", "bear", "deer", "duck", "goat", "lion", "mole", "seal", "swan", "toad", "wasp", "crab", "clam",
  "apple", "bread", "chair", "cloud", "dance", "eagle", "field", "glass", "house", "juice", "lemon", "mouse", "night", "ocean", "piano", "queen", "river", "stone", "table", "train",
  "water", "zebra", "candy", "daisy", "flame", "grape", "honey", "sheep", "tiger", "whale", "plant", "storm", "smile", "sugar", "tooth", "towel", "wheel", "world", "heart", "light",
];
const COLORS: [string, string][] = [
  ["the sky", "blue"], ["grass", "green"], ["snow", "white"], ["the sun", "yellow"], ["coal", "black"], ["blood", "red"], ["a banana", "yellow"], ["a lemon", "yellow"],
  ["a cherry", "red"], ["milk", "white"], ["a frog", "green"], ["the sea", "blue"], ["a crow", "black"], ["a leaf", "green"], ["a tomato", "red"], ["ink", "black"],
  ["a cloud", "white"], ["an orange", "orange"], ["a carrot", "orange"], ["a plum", "purple"], ["a grape", "purple"], ["chocolate", "brown"], ["mud", "brown"], ["a pig", "pink"],
];
const ANIMALS = ["cat", "dog", "cow", "horse", "bird", "fish", "frog", "bee", "ant", "owl", "fox", "pig", "duck", "goat", "hen", "wolf", "bear", "deer", "lion", "mole", "seal", "swan", "toad", "crab"];
const PLANTS = ["rose", "tree", "oak", "fern", "moss", "corn", "wheat", "daisy", "lily", "pine", "tulip", "ivy", "palm", "reed", "kelp", "vine", "bamboo", "cactus", "clover", "mint"];
const NAMES = ["Tom", "Ann", "Bob", "Eve", "Sam", "Mia", "Max", "Zoe", "Leo", "Ivy", "Ben", "Amy"];
const ITEMS = ["pens", "keys", "nuts", "cats", "hats", "cups", "eggs", "toys"];
const GARBAGE_CHARS = "qxzjkvw";

export const PREAMBLE = "Sure! Here is ";
/** Share of demonstrations whose response carries the chatty preamble (a style signal for the RM/PPO). */
export const PREAMBLE_SHARE = 0.3;

// ---------------------------------------------------------------- rows
interface QA {
  category: string;
  instruction: string;
  context: string;
  answer: string;
  /** a wrong answer of the same kind */
  wrong: (rng: Rng) => string;
}

const pick = <T>(xs: readonly T[], rng: Rng): T => xs[rng.int(xs.length)]!;
const cap1 = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export function sentimentRows(): { phrase: string; label: string }[] {
  const rows: { phrase: string; label: string }[] = [];
  for (const m of MODIFIERS) {
    for (const a of POSITIVE) rows.push({ phrase: `${m} ${a}`, label: "positive" });
    for (const a of NEGATIVE) rows.push({ phrase: `${m} ${a}`, label: "negative" });
  }
  return shuffled(rows, rngFor(SEED, "sentiment"));
}

export function additionRows(): { a: number; b: number; sum: number }[] {
  const rows: { a: number; b: number; sum: number }[] = [];
  for (let a = 0; a <= 9; a++) for (let b = 0; b <= 9; b++) rows.push({ a, b, sum: a + b });
  return shuffled(rows, rngFor(SEED, "addition"));
}

export function uppercaseRows(): { word: string; upper: string }[] {
  return shuffled(
    WORDS.map((w) => ({ word: w, upper: w.toUpperCase() })),
    rngFor(SEED, "uppercase"),
  );
}

function garbage(rng: Rng): string {
  const n = 3 + rng.int(5);
  let s = "";
  for (let i = 0; i < n; i++) s += GARBAGE_CHARS[rng.int(GARBAGE_CHARS.length)];
  return rng.next() < 0.5 ? s : `${s} ${s.slice(0, 2)}`;
}

/** Every question the demonstrations and rankings are made of, by category. */
function questions(): QA[] {
  const out: QA[] = [];
  const sentPhr = ["Sentiment: {p}", "Feeling of {p}?"];
  for (const r of sentimentRows())
    for (const t of sentPhr)
      out.push({ category: "sentiment", instruction: t.replace("{p}", r.phrase), context: "", answer: r.label, wrong: () => (r.label === "positive" ? "negative" : "positive") });
  const addPhr = ["What is {a} plus {b}?", "Add {a} and {b}."];
  for (const r of additionRows())
    for (const t of addPhr)
      out.push({
        category: "addition",
        instruction: t.replace("{a}", String(r.a)).replace("{b}", String(r.b)),
        context: "",
        answer: String(r.sum),
        wrong: (rng) => {
          let w: number;
          do w = Math.max(0, r.sum + (rng.next() < 0.5 ? -1 : 1) * (1 + rng.int(3)));
          while (w === r.sum);
          return String(w);
        },
      });
  const upPhr = ["Write {w} in capitals.", "Uppercase: {w}"];
  for (const r of uppercaseRows())
    for (const t of upPhr)
      out.push({
        category: "uppercase",
        instruction: t.replace("{w}", r.word),
        context: "",
        answer: r.upper,
        wrong: (rng) => {
          const i = rng.int(r.word.length);
          const w = r.upper.slice(0, i) + r.word[i] + r.upper.slice(i + 1); // one letter left lower case
          return rng.next() < 0.5 ? w : pick(WORDS.filter((x) => x !== r.word), rng).toUpperCase();
        },
      });
  const colorNames = [...new Set(COLORS.map((c) => c[1]))];
  for (const [thing, color] of COLORS)
    for (const t of ["What color is {x}?", "Color of {x}?"])
      out.push({ category: "open_qa", instruction: t.replace("{x}", thing), context: "", answer: `${cap1(color)}.`, wrong: (rng) => `${cap1(pick(colorNames.filter((c) => c !== color), rng))}.` });
  for (const [list, kind, other] of [
    [ANIMALS, "An animal.", "A plant."],
    [PLANTS, "A plant.", "An animal."],
  ] as const)
    for (const x of list)
      for (const t of ["Is a {x} an animal?", "Animal or plant: {x}?"])
        out.push({ category: "classification", instruction: t.replace("{x}", x), context: "", answer: kind, wrong: () => other });
  const rng = rngFor(SEED, "closed_qa");
  const seen = new Set<string>();
  while (seen.size < 400) {
    const name = pick(NAMES, rng);
    const item = pick(ITEMS, rng);
    const n = 1 + rng.int(9);
    const key = `${name}|${item}|${n}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ category: "closed_qa", instruction: `How many ${item}?`, context: `${name} has ${n} ${item}.`, answer: String(n), wrong: (r) => String(((n - 1 + 1 + r.int(8)) % 9) + 1) });
  }
  return out;
}

// ---------------------------------------------------------------- files
export interface DemoFiles {
  "corpus.txt": string;
  "tasks/sentiment.jsonl": string;
  "tasks/addition.jsonl": string;
  "tasks/uppercase.jsonl": string;
  "demos.jsonl": string;
  "rankings.jsonl": string;
}

const jsonl = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

function demos(qs: readonly QA[]): object[] {
  const rng = rngFor(SEED, "demos");
  return shuffled(qs, rngFor(SEED, "demos-order")).map((q) => ({
    instruction: q.instruction,
    context: q.context,
    response: rng.next() < PREAMBLE_SHARE ? PREAMBLE + q.answer : q.answer,
    category: q.category,
  }));
}

/**
 * Rankings, K in 4..9, by the rule (rank 0 best):
 *   0 correct and concise  >  1 correct with the chatty preamble  >  2 wrong answer of the same task
 *   >  3 an answer to another task  >  4 garbage;   responses of the same class tie.
 */
function rankings(qs: readonly QA[]): object[] {
  const rng = rngFor(SEED, "rankings");
  const byCat = new Map<string, QA[]>();
  for (const q of qs) byCat.set(q.category, [...(byCat.get(q.category) ?? []), q]);
  const cats = [...byCat.keys()];
  const rows: object[] = [];
  const order = shuffled(qs, rngFor(SEED, "rankings-order"));
  for (let i = 0; i < 1600; i++) {
    const q = order[i % order.length]!;
    const K = 4 + rng.int(6);
    const cands: [string, number][] = [
      [q.answer, 0],
      [PREAMBLE + q.answer, 1],
    ];
    const used = new Set(cands.map((c) => c[0]));
    const add = (s: string, cls: number) => {
      if (!used.has(s) && s.trim()) {
        used.add(s);
        cands.push([s, cls]);
        return true;
      }
      return false;
    };
    // at least one wrong answer and one cross-task answer, then a random mix of 2, 3 and 4
    for (let tries = 0; !add(q.wrong(rng), 2) && tries < 10; tries++);
    const crossTask = () => {
      const other = pick(cats.filter((c) => c !== q.category), rng);
      return pick(byCat.get(other)!, rng).answer;
    };
    for (let tries = 0; !add(crossTask(), 3) && tries < 10; tries++);
    for (let tries = 0; cands.length < K && tries < 50; tries++) {
      const cls = 2 + rng.int(3);
      add(cls === 2 ? q.wrong(rng) : cls === 3 ? crossTask() : garbage(rng), cls);
    }
    const shown = shuffled(cands, rng);
    const levels = [...new Set(shown.map((c) => c[1]))].sort((a, b) => a - b);
    const ranking = levels
      .map((lvl) =>
        shown
          .map((c, j) => (c[1] === lvl ? String.fromCharCode(65 + j) : null))
          .filter((x) => x)
          .join(" = "),
      )
      .join(" > ");
    rows.push({ prompt: q.context ? `${q.instruction}\n\n${q.context}` : q.instruction, responses: shown.map((c) => c[0]), ranking, task: q.category, answer: q.answer });
  }
  return rows;
}

const FILLER_SUBJECTS = ["The cat", "A dog", "The bird", "My friend", "The boy", "A girl", "The old man", "Her sister", "The farmer", "A child"];
const FILLER_VERBS = ["sees", "likes", "finds", "has", "wants", "holds", "makes", "takes", "reads", "keeps"];
const FILLER_OBJECTS = ["a red ball", "the big box", "a small cup", "the green hat", "a blue pen", "the old book", "a warm cake", "the new car", "a tiny key", "the long road"];
const FILLER_TAILS = ["", " today", " at home", " in the park", " every day", " again"];

function corpus(): string[] {
  const rng = rngFor(SEED, "corpus");
  const facts: string[] = [];
  for (const r of sentimentRows()) facts.push(`"${r.phrase}" is ${r.label}.`, `${cap1(r.phrase)} is a ${r.label} phrase.`);
  for (const r of additionRows()) facts.push(`${r.a} plus ${r.b} is ${r.sum}.`, `${r.a}+${r.b}=${r.sum}`);
  for (const r of uppercaseRows()) facts.push(`${cap1(r.word)} in capitals is ${r.upper}.`, `The word ${r.word} in caps is ${r.upper}.`);
  for (const [thing, color] of COLORS) facts.push(`${cap1(thing)} is ${color}.`);
  for (const a of ANIMALS) facts.push(`A ${a} is an animal.`);
  for (const p of PLANTS) facts.push(`A ${p} is a plant.`);
  const plain: string[] = [];
  // ~30% facts: 70% simple sentences
  const nPlain = Math.round((facts.length * 0.7) / 0.3);
  for (let i = 0; i < nPlain; i++) plain.push(`${pick(FILLER_SUBJECTS, rng)} ${pick(FILLER_VERBS, rng)} ${pick(FILLER_OBJECTS, rng)}${pick(FILLER_TAILS, rng)}.`);
  return shuffled([...facts, ...plain], rng);
}

export function generateDemoFiles(): DemoFiles {
  const qs = questions();
  return {
    "corpus.txt": corpus().join("\n") + "\n",
    "tasks/sentiment.jsonl": jsonl(sentimentRows()),
    "tasks/addition.jsonl": jsonl(additionRows()),
    "tasks/uppercase.jsonl": jsonl(uppercaseRows()),
    "demos.jsonl": jsonl(demos(qs)),
    "rankings.jsonl": jsonl(rankings(qs)),
  };
}

/** Write the files atomically (temp file + rename) under `dir`. */
export function writeDemoFiles(dir: string): string[] {
  const files = generateDemoFiles();
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    written.push(path);
  }
  return written;
}

// `node --import tsx src/data/demo/generate.ts [DIR]` (npm run data:generate)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${"/dist/"}`) ? resolve(here, "../../../..") : resolve(here, "../../..");
  const dir = process.argv[2] ? resolve(process.argv[2]) : join(root, "recipes", "data");
  for (const f of writeDemoFiles(dir)) console.log(`wrote ${f}`);
}
