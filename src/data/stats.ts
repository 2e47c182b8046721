// Cheap sizes for the planner: row counts by streaming newline counts (no parsing) and token lengths
// estimated from a sample of the first rows, formatted and tokenized exactly as training will do.
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import { buildExamples, type BuildOptions } from "./build.js";
import { findBlock, heldoutTaskNames, isCall, isRef, num, pathArg } from "./ir.js";
import { componentCounts } from "./mix.js";
import { READER_KINDS, countRows, type ReaderKind } from "./readers.js";
import { recipeTokenizer } from "./recipe-tokenizer.js";
import type { BuiltData, DataStats, Tokenizer } from "./types.js";

/** Rows sampled for token-length estimates. */
export const SAMPLE_ROWS = 200;

async function rowsOfValue(recipe: CheckedRecipe, v: IRValue | undefined): Promise<number> {
  if (isCall(v) && (READER_KINDS as readonly string[]).includes(v.$call)) return countRows(pathArg(recipe, v.args[0]), v.$call as ReaderKind);
  if (isRef(v)) return (await sizeOf(recipe, findBlock(recipe, v.$ref))).train;
  if (isCall(v) && (v.$call === "heldout" || v.$call === "train")) {
    const inner = isRef(v.args[0]) ? await sizeOf(recipe, findBlock(recipe, v.args[0].$ref)) : { train: 0, heldout: 0 };
    return v.$call === "heldout" ? inner.heldout : inner.train;
  }
  return 0;
}

/** Train/held-out example counts without reading rows (dedup and category filters not applied). */
async function sizeOf(recipe: CheckedRecipe, b: CheckedBlock, heldoutTasks: readonly string[] = []): Promise<{ train: number; heldout: number; perTask?: Record<string, number> }> {
  const cap = (n: number) => (num(b.props.limit) !== undefined ? Math.min(n, num(b.props.limit)!) : n);
  const splitN = (n: number, share: number) => ({ train: n - Math.round(n * share), heldout: Math.round(n * share) });
  switch (b.keyword) {
    case "source":
      return splitN(cap(await countRows(pathArg(recipe, b.args[0]), b.kind as ReaderKind)), num(b.props.holdout) ?? 0);
    case "task":
      return splitN(cap(await rowsOfValue(recipe, b.props.data)), num(b.props.holdout) ?? 0.1);
    case "mixture": {
      const comps = (b.props.components ?? {}) as Record<string, Record<string, IRValue>>;
      const held = new Set([...heldoutTaskNames(b.props.heldout_tasks), ...heldoutTasks]);
      const names = Object.keys(comps).filter((n) => !held.has(n)).sort(); // held-out tasks are not trained on
      const sizes = await Promise.all(names.map((n) => sizeOf(recipe, findBlock(recipe, n))));
      const counts = componentCounts(
        names.map((n, i) => ({ n: sizes[i]!.train, proportional: comps[n]!.proportional === true, cap: num(comps[n]!.cap), weight: num(comps[n]!.weight) })),
        num(b.props.total),
      );
      return { train: counts.reduce((a, c) => a + c, 0), heldout: sizes.reduce((a, s) => a + s.heldout, 0), perTask: Object.fromEntries(names.map((n, i) => [n, counts[i]!])) };
    }
    case "stage":
    case "eval": {
      const v = b.props.data ?? b.props.prompts;
      const n = await rowsOfValue(recipe, v);
      if (b.kind === "pretrain") return splitN(n, num(b.props.holdout) ?? 0.05);
      return { train: n, heldout: 0 };
    }
    default:
      return { train: 0, heldout: 0 };
  }
}

function tokenLengths(built: BuiltData, tok: Tokenizer): { lengths: number[]; chars: number[]; pairs: number } {
  const lengths: number[] = [];
  const chars: number[] = [];
  let pairs = 0;
  if (built.kind === "sft") for (const e of built.train) (lengths.push(tok.encode(e.text).length + 1), chars.push(e.text.length));
  else if (built.kind === "comparisons")
    for (const g of built.train) {
      pairs += g.pairs.length;
      for (const r of g.responses) (lengths.push(tok.encode(g.prompt + r).length + 1), chars.push(g.prompt.length + r.length));
    }
  else for (const l of built.train.lines) (lengths.push(tok.encode(l).length + 1), chars.push(l.length));
  return { lengths, chars, pairs };
}

/**
 * Examples and tokens of a block, cheaply: counts from the files, token lengths from the first
 * SAMPLE_ROWS rows of each file (exact when every file is that small).
 */
export async function countExamples(recipe: CheckedRecipe, blockName: string, opts: BuildOptions & { tokenizer?: Tokenizer } = {}): Promise<DataStats> {
  const b = findBlock(recipe, blockName);
  const size = await sizeOf(recipe, b, opts.heldoutTasks);
  const sample = await buildExamples(recipe, blockName, { ...opts, limit: SAMPLE_ROWS });
  const tok = opts.tokenizer ?? (await recipeTokenizer(recipe));
  const { lengths, chars, pairs } = tokenLengths(sample, tok);
  const sampleUnits = sample.kind === "sft" ? sample.train.length : sample.kind === "comparisons" ? sample.train.length : sample.train.lines.length;
  const estimated = sampleUnits < size.train || sample.kind === "sft";
  const perUnit = (xs: number[]) => (sampleUnits ? xs.reduce((a, c) => a + c, 0) / sampleUnits : 0);
  const examples = size.train;
  return {
    name: blockName,
    kind: sample.kind,
    examples,
    heldout: size.heldout,
    ...(sample.kind === "comparisons" ? { comparisons: Math.round((sampleUnits ? pairs / sampleUnits : 0) * examples) } : {}),
    chars: Math.round(perUnit(chars) * examples),
    tokens: Math.round(perUnit(lengths) * examples),
    meanTokens: lengths.length ? lengths.reduce((a, c) => a + c, 0) / lengths.length : 0,
    maxTokens: lengths.length ? Math.max(...lengths) : 0,
    estimated,
    ...(size.perTask ? { perTask: size.perTask } : {}),
  };
}
