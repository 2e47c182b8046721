// Mixtures: FLAN's examples-proportional mixing (a component's rate ∝ min(n, cap)), explicit weights
// (a component contributes weight × n), an optional total, dedup and LIMA-style selection. Counts are
// allocated exactly (largest remainder) and rows drawn by seeded shuffles, so a mixture is
// deterministic in its seed and a cap is never exceeded.
import type { Span } from "../lang/ast.js";
import { KINDS } from "../check/kinds.js";
import { CODES, fail } from "./diag.js";
import { rngFor, shuffled } from "../common/rng.js";
import type { PromptResponse } from "./types.js";
import { pushAll } from "../common/arrays.js";

/** The most examples one mixture holds: the kinds table's maximum of `total`, which weights (each
 * repeats a component's examples) could otherwise pass: `weight 1e12` crashed with a RangeError. */
export const MAX_MIXTURE_EXAMPLES = (KINDS.mixture!.mix!.props.total as { maximum: number }).maximum;

export interface MixComponent {
  name: string; // for counts only: never a seed (see identity.ts)
  key?: string; // seed label of its draws: the component block's content identity (default: name)
  examples: readonly PromptResponse[];
  proportional?: boolean;
  cap?: number; // proportional: at most this many examples (FLAN: 3,000)
  weight?: number; // weighted: contributes round(weight × n) examples (repeats when > 1)
}

export interface MixOptions {
  seed: number;
  total?: number;
  /** the mixture's `dedup` (the kinds table defaults it) */
  dedup: "none" | "exact" | "normalized";
  minLength?: number; // response characters
  maxLength?: number;
  perCategory?: number; // LIMA-style quota per category (examples without one count as "general")
  /** where the mixture is declared, for the error when its size passes MAX_MIXTURE_EXAMPLES */
  where?: { file: string; span: Span | null };
}

export interface MixResult {
  examples: PromptResponse[];
  counts: Record<string, number>; // examples taken per component
  available: Record<string, number>; // examples per component after dedup and selection
  /** examples left out: `duplicates` by dedup (`differentResponse` of them answered otherwise than the
   * example kept: FLAN's inverted prompts, "Write a positive phrase."), `length` by min/max_response_chars,
   * `quota` by per_category */
  dropped: { duplicates: number; differentResponse: number; length: number; quota: number };
}

/** Normalised form for dedup: lower case, punctuation dropped, whitespace collapsed. */
export function normalizeText(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Largest-remainder rounding of non-negative shares to integers summing to `total`. */
export function allocate(shares: readonly number[], total: number): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total <= 0) return shares.map(() => 0);
  const exact = shares.map((s) => (s / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

/** Per-component counts: the capped/weighted sizes, scaled to `total` when given, caps respected. */
export function componentCounts(comps: readonly { n: number; proportional?: boolean; cap?: number; weight?: number }[], total?: number): number[] {
  const limit = comps.map((c) => (c.proportional || c.weight === undefined ? Math.min(c.n, c.cap ?? Infinity) : Infinity));
  const size = comps.map((c) => (c.proportional || c.weight === undefined ? Math.min(c.n, c.cap ?? Infinity) : Math.round(c.weight * c.n)));
  if (total === undefined) return size;
  // scale to total; components at their limit give their surplus to the others
  const counts = comps.map(() => 0);
  let open = comps.map((_, i) => i).filter((i) => size[i]! > 0);
  let remaining = total;
  while (remaining > 0 && open.length > 0) {
    const alloc = allocate(
      open.map((i) => size[i]!),
      remaining,
    );
    let overflow = false;
    open.forEach((i, j) => {
      const room = limit[i]! - counts[i]!;
      const take = Math.min(alloc[j]!, room);
      if (take < alloc[j]!) overflow = true;
      counts[i]! += take;
    });
    remaining = total - counts.reduce((a, b) => a + b, 0);
    open = open.filter((i) => counts[i]! < limit[i]!);
    if (!overflow) break;
  }
  return counts;
}

/** Draw `count` examples: a seeded shuffle, repeated whole when count exceeds the pool. */
function draw<T>(pool: readonly T[], count: number, seed: number, label: string): T[] {
  const out: T[] = [];
  for (let pass = 0; out.length < count && pool.length > 0; pass++) {
    const order = shuffled(pool, rngFor(seed, "mix", label, pass));
    pushAll(out, order.slice(0, count - out.length));
  }
  return out;
}

/** Mix components. Their order matters (dedup keeps the first occurrence, the final shuffle starts
 * from it): callers order them by content identity, not by name, so a rename changes nothing. */
export function mix(components: readonly MixComponent[], opts: MixOptions): MixResult {
  const seen = new Map<string, string>(); // dedup key → the kept example's response
  const dropped = { duplicates: 0, differentResponse: 0, length: 0, quota: 0 };
  const dedup = opts.dedup;
  // 1. selection: dedup (first occurrence wins, in component order) and length bounds
  const pools = components.map((c) =>
    c.examples.filter((ex) => {
      const len = ex.response.length;
      if ((opts.minLength !== undefined && len < opts.minLength) || (opts.maxLength !== undefined && len > opts.maxLength)) {
        dropped.length++;
        return false;
      }
      if (dedup === "none") return true;
      const key = dedup === "exact" ? ex.prompt : normalizeText(ex.prompt);
      const kept = seen.get(key);
      if (kept !== undefined) {
        dropped.duplicates++;
        if (kept !== ex.response) dropped.differentResponse++;
        return false;
      }
      seen.set(key, ex.response);
      return true;
    }),
  );
  // 2. LIMA quotas: at most perCategory examples of each category (seeded choice within a category)
  if (opts.perCategory !== undefined) {
    const quota = opts.perCategory;
    const used = new Map<string, number>();
    pools.forEach((pool, ci) => {
      const order = shuffled(pool, rngFor(opts.seed, "quota", components[ci]!.key ?? components[ci]!.name));
      const keep = new Set(order.filter((ex) => {
        // a FLAN task's examples are one category of their own, keyed by the component's identity: their
        // meta.category is the task's block name, and a name must never decide what is kept (a task named
        // like a demonstrations category, or "general", shared that category's quota, and a rename,
        // which changes no hash, changed the mixture)
        const cat = ex.meta.template !== undefined ? `\u0000task ${components[ci]!.key ?? components[ci]!.name}` : (ex.meta.category ?? "general");
        const n = used.get(cat) ?? 0;
        if (n >= quota) return false;
        used.set(cat, n + 1);
        return true;
      }));
      dropped.quota += pool.length - keep.size;
      pools[ci] = pool.filter((ex) => keep.has(ex));
    });
  }
  // 3. proportions
  const counts = componentCounts(
    components.map((c, i) => ({ n: pools[i]!.length, proportional: c.proportional, cap: c.cap, weight: c.weight })),
    opts.total,
  );
  const size = counts.reduce((a, b) => a + b, 0);
  if (size > MAX_MIXTURE_EXAMPLES)
    fail(CODES.mixture, `the mixture would hold ${size.toExponential(2)} examples, over the ${MAX_MIXTURE_EXAMPLES.toLocaleString("en-US")} alignc holds in memory: lower its weights or set \`total\``, opts.where?.file ?? "", opts.where?.span ?? null);
  const taken = components.map((c, i) => draw(pools[i]!, counts[i]!, opts.seed, c.key ?? c.name));
  const examples = shuffled(taken.flat(), rngFor(opts.seed, "mix", "order"));
  return {
    examples,
    counts: Object.fromEntries(components.map((c, i) => [c.name, counts[i]!])),
    available: Object.fromEntries(components.map((c, i) => [c.name, pools[i]!.length])),
    dropped,
  };
}
