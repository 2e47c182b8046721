// Whether a text source's `pattern` can backtrack exponentially. JavaScript's regular expressions
// backtrack, and no match can be stopped from outside: `^(?<w>(\w+\s?)*)$` took 0.12 s on a line of
// 24 letters and a `!`, about twice as long with each letter more (36: over 20 s), a hang with nothing said. The
// analysis is recheck's (static, automata-based, with fuzzing as a fallback: a well-kept ReDoS checker,
// not a heuristic of ours), loaded only for a recipe that writes a pattern. Exponential is refused;
// polynomial is not (`(?<a>.*) (?<b>.*)` is quadratic in a line's length, and lines are short).
import { createRequire } from "node:module";

type Recheck = typeof import("recheck");
let recheck: Recheck | null = null;

/** A short description of an input that makes `source` backtrack exponentially, or null (safe, polynomial, or undecided). */
export function exponentialBacktracking(source: string, flags: string): string | null {
  recheck ??= createRequire(import.meta.url)("recheck") as Recheck;
  const r = recheck.checkSync(source, flags, { timeout: 10_000 });
  if (r.status !== "vulnerable" || r.complexity.type !== "exponential") return null;
  const attack = r.attack.string;
  return JSON.stringify(attack.length > 60 ? `${attack.slice(0, 40)}…${attack.slice(-10)}` : attack);
}
