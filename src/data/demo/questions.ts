// The demo's question bank: every (instruction, context, answer) the demonstrations, the rankings
// and PPO's prompts are drawn from, with the wrong answers a small model really writes. Tiny
// vocabularies so a 0.4M-parameter character model learns in minutes.
import { rngFor, shuffled, type Rng } from "../../common/rng.js";
import { GARBAGE_CHARS, PREAMBLE } from "./rule.js";

export const SEED = 2023;

// ---------------------------------------------------------------- vocabularies
export const POSITIVE = ["good", "great", "nice", "fine", "happy", "lovely", "fun", "cool", "warm", "kind", "bright", "sweet"];
export const NEGATIVE = ["bad", "awful", "sad", "dull", "poor", "ugly", "boring", "grim", "cold", "rude", "dark", "sour"];
export const MODIFIERS = ["very", "so", "quite", "really", "truly", "rather", "pretty", "super", "too", "most"];
/** MODIFIERS and 20 more intensifiers, none a sentiment word nor one that turns or hedges the adjective
 * ("less", "only", "oddly" would: "less happy" is not positive): tasks/sentiment-wide.jsonl (720 rows), a
 * diagnosis of how many rows the SFT model needs to label phrases it has not seen (recipes/replicate/sentiment-wide.align). */
export const WIDE_MODIFIERS = [
  ...MODIFIERS,
  ...["fairly", "highly", "extra", "deeply", "simply", "just", "mostly", "largely", "utterly", "totally"],
  ...["fully", "wholly", "extremely", "remarkably", "especially", "incredibly", "more", "all", "always", "ever so"],
];
export const WORDS = [
  "cat", "dog", "sun", "red", "map", "cup", "pen", "box", "hat", "bus", "car", "egg", "fox", "jam", "kit", "log", "mud", "nut", "owl", "pig",
  "rat", "sky", "toy", "van", "web", "yak", "zip", "arm", "bed", "cow", "day", "ear", "fan", "gum", "hen", "ink", "jar", "key", "leg", "man",
  "net", "oak", "pot", "rug", "sea", "tea", "urn", "vet", "wig", "bee", "ant", "bird", "fish", "frog", "tree", "rose", "moon", "star", "rain", "snow",
  "wind", "fire", "lake", "hill", "road", "door", "book", "desk", "lamp", "milk", "cake", "rice", "corn", "bean", "salt", "gold", "ring", "bell", "boat", "ship",
  "kite", "drum", "horn", "nest", "seed", "leaf", "root", "wolf", "bear", "deer", "duck", "goat", "lion", "mole", "seal", "swan", "toad", "wasp", "crab", "clam",
  "apple", "bread", "chair", "cloud", "dance", "eagle", "field", "glass", "house", "juice", "lemon", "mouse", "night", "ocean", "piano", "queen", "river", "stone", "table", "train",
  "water", "zebra", "candy", "daisy", "flame", "grape", "honey", "sheep", "tiger", "whale", "plant", "storm", "smile", "sugar", "tooth", "towel", "wheel", "world", "heart", "light",
];
export const COLORS: [string, string][] = [
  ["the sky", "blue"], ["grass", "green"], ["snow", "white"], ["the sun", "yellow"], ["coal", "black"], ["blood", "red"], ["a banana", "yellow"], ["a lemon", "yellow"],
  ["a cherry", "red"], ["milk", "white"], ["a frog", "green"], ["the sea", "blue"], ["a crow", "black"], ["a leaf", "green"], ["a tomato", "red"], ["ink", "black"],
  ["a cloud", "white"], ["an orange", "orange"], ["a carrot", "orange"], ["a plum", "purple"], ["a grape", "purple"], ["chocolate", "brown"], ["mud", "brown"], ["a pig", "pink"],
];
export const ANIMALS = ["cat", "dog", "cow", "horse", "bird", "fish", "frog", "bee", "ant", "owl", "fox", "pig", "duck", "goat", "hen", "wolf", "bear", "deer", "lion", "mole", "seal", "swan", "toad", "crab"];
export const PLANTS = ["rose", "tree", "oak", "fern", "moss", "corn", "wheat", "daisy", "lily", "pine", "tulip", "ivy", "palm", "reed", "kelp", "vine", "bamboo", "cactus", "clover", "mint"];
const NAMES = ["Tom", "Ann", "Bob", "Eve", "Sam", "Mia", "Max", "Zoe", "Leo", "Ivy", "Ben", "Amy"];
const ITEMS = ["pens", "keys", "nuts", "cats", "hats", "cups", "eggs", "toys"];

// Phrasings of the demonstration-style questions. None is a FLAN template of templates/flan/ (the
// generator also drops any question whose text a template renders: a held-out template's prompt
// must never be a training prompt).
export const PHRASINGS = {
  sentiment: ["Sentiment: {p}", "Feeling of {p}?", "Is {p} nice or not?", "How does {p} sound?", "Label the phrase: {p}", "{p} - which sentiment?"],
  addition: ["What is {a} plus {b}?", "{a} plus {b} equals?", "Find {a} + {b}.", "How much is {a} and {b}?", "Add up {a} and {b}.", "Work out {a}+{b}.", "{a} add {b}?", "Solve {a} + {b}."],
  uppercase: ["Put {w} in capitals.", "Spell {w} in upper case.", "{w} in capital letters?", "All caps: {w}"],
  classification: ["Is a {x} an animal?", "Animal or plant: {x}?", "What kind of thing is a {x}?", "Plant or animal? {x}", "Is a {x} a plant?", "Classify: {x}"],
  open_qa: ["What color is {x}?", "Color of {x}?", "Which color is {x}?"],
  closed_qa: ["How many {i}?", "Count the {i}.", "Number of {i}?"],
} as const;
export type Category = keyof typeof PHRASINGS;

export interface Question {
  category: Category;
  instruction: string;
  context: string;
  answer: string;
  /** a wrong answer of the same kind (near misses: the other label, a sum off by one or two, one letter left lower case …) */
  wrong: (rng: Rng) => string;
}

/** The prompt text as recipes present it: instruction, then the context after a blank line. */
export const promptText = (q: Pick<Question, "instruction" | "context">): string => (q.context ? `${q.instruction}\n\n${q.context}` : q.instruction);

export const pick = <T>(xs: readonly T[], rng: Rng): T => xs[rng.int(xs.length)]!;
export const cap1 = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export function sentimentRows(modifiers: readonly string[] = MODIFIERS, stream = "sentiment"): { phrase: string; label: string }[] {
  const rows: { phrase: string; label: string }[] = [];
  for (const m of modifiers) {
    for (const a of POSITIVE) rows.push({ phrase: `${m} ${a}`, label: "positive" });
    for (const a of NEGATIVE) rows.push({ phrase: `${m} ${a}`, label: "negative" });
  }
  return shuffled(rows, rngFor(SEED, stream));
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

export function garbage(rng: Rng): string {
  const n = 3 + rng.int(5);
  let s = "";
  for (let i = 0; i < n; i++) s += GARBAGE_CHARS[rng.int(GARBAGE_CHARS.length)];
  return rng.next() < 0.5 ? s : `${s} ${s.slice(0, 2)}`;
}

const nearNumber = (n: number, rng: Rng, min: number): string => {
  let w: number;
  do w = Math.max(min, n + (rng.next() < 0.5 ? -1 : 1) * (1 + rng.int(2)));
  while (w === n);
  return String(w);
};

/** Every question of the bank, by category, each phrasing of each item once. */
export function questionBank(): Question[] {
  const out: Question[] = [];
  for (const r of sentimentRows())
    for (const t of PHRASINGS.sentiment)
      out.push({ category: "sentiment", instruction: t.replace("{p}", r.phrase), context: "", answer: r.label, wrong: () => (r.label === "positive" ? "negative" : "positive") });
  for (const r of additionRows())
    for (const t of PHRASINGS.addition)
      out.push({ category: "addition", instruction: t.replace("{a}", String(r.a)).replace("{b}", String(r.b)), context: "", answer: String(r.sum), wrong: (rng) => nearNumber(r.sum, rng, 0) });
  for (const r of uppercaseRows())
    for (const t of PHRASINGS.uppercase)
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
  for (const [list, kind, other] of [
    [ANIMALS, "An animal.", "A plant."],
    [PLANTS, "A plant.", "An animal."],
  ] as const)
    for (const x of list)
      for (const t of PHRASINGS.classification) out.push({ category: "classification", instruction: t.replace("{x}", x), context: "", answer: kind, wrong: () => other });
  const colorNames = [...new Set(COLORS.map((c) => c[1]))];
  for (const [thing, color] of COLORS)
    for (const t of PHRASINGS.open_qa)
      out.push({ category: "open_qa", instruction: t.replace("{x}", thing), context: "", answer: `${cap1(color)}.`, wrong: (rng) => `${cap1(pick(colorNames.filter((c) => c !== color), rng))}.` });
  for (const name of NAMES)
    for (const item of ITEMS)
      for (let n = 1; n <= 9; n++)
        for (const t of PHRASINGS.closed_qa)
          out.push({ category: "closed_qa", instruction: t.replace("{i}", item), context: `${name} has ${n} ${item}.`, answer: String(n), wrong: (rng) => nearNumber(n, rng, 1) });
  return out;
}

/**
 * A malformed answer of the kind a small model writes: cut short, repeated, in the wrong case,
 * the preamble with nothing after it. Never the correct answer (the caller ranks by the rule anyway).
 */
export function malformed(answer: string, rng: Rng): string {
  const kinds: (() => string)[] = [
    () => `${answer} ${answer}`,
    () => answer + answer.slice(0, 1 + rng.int(answer.length)),
    () => (answer.length >= 2 ? answer.slice(0, 1 + rng.int(answer.length - 1)) : `${answer}${answer}`),
    () => (answer.toLowerCase() !== answer ? answer.toLowerCase() : cap1(answer) !== answer ? cap1(answer) : `${answer}.`),
    () => PREAMBLE.trim(),
  ];
  return pick(kinds, rng)();
}
