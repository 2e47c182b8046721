// "Did you mean": the nearest known name by edit distance, when it is near enough to be a typo. The
// one copy: recipe properties and kinds (check), template fields (data), node ids (run --force/--until).

/**
 * Edit distance counting an adjacent transposition as one edit (optimal string alignment), so
 * `modle` is one edit from `model`; exits early once every cell of a row exceeds `max`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate within a third of the word's length (at least 1, at most 3 edits); ties by name. */
export function nearest(word: string, candidates: Iterable<string>): string | null {
  const max = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | null = null;
  let bestD = max + 1;
  for (const c of candidates) {
    if (c === word) continue;
    // a case-only difference is always a typo
    const d = c.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word, c, max);
    if (d < bestD || (d === bestD && best !== null && c < best)) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= max ? best : null;
}

/** `did you mean \`x\`?` or undefined, for Diagnostic.hint. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const n = nearest(word, candidates);
  return n === null ? undefined : `did you mean \`${n}\`?`;
}

/** "a, b or c" */
export function orList(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}
