// Tokenizers: byte-level (the default: 256 bytes + EOS/PAD/BOS, what a tiny char model needs), a
// byte-level BPE trained deterministically on a corpus, and GPT-2's BPE from gpt-tokenizer (it ships
// the 50,257-token vocabulary; for GPT-2 checkpoints).
import { createHash } from "node:crypto";
import type { Tokenizer } from "./types.js";
import { pushAll } from "../common/arrays.js";

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8"); // invalid sequences become U+FFFD, never throw

/** Bytes 0..255, then EOS 256, PAD 257, BOS 258. */
export function byteLevel(): Tokenizer {
  return {
    name: "byte_level",
    vocabSize: 259,
    eos: 256,
    pad: 257,
    bos: 258,
    encode: (s) => Array.from(utf8.encode(s)),
    decode: (ids) => utf8Decoder.decode(Uint8Array.from(ids.filter((i) => i >= 0 && i < 256))),
  };
}

/** GPT-2-style pre-tokenization: words with their leading space, digits, punctuation runs, spaces. */
const PRETOKEN = / ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface BpeModel {
  merges: [number, number][]; // merge i creates token 259 + i
  vocabSize: number;
}

const FIRST_MERGE = 259;

/**
 * Train byte-level BPE: count pre-token frequencies, then repeatedly merge the most frequent adjacent
 * pair (ties: the smallest pair of ids), until vocabSize. Deterministic for a given corpus.
 */
export function trainBpe(lines: readonly string[], vocabSize: number): BpeModel {
  const counts = new Map<string, number>();
  for (const line of lines) for (const m of line.matchAll(PRETOKEN)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const words: { ids: number[]; n: number }[] = [...counts.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([w, n]) => ({ ids: Array.from(utf8.encode(w)), n }));
  // pair counts, and which words hold each pair: a merge only revisits the words it touches
  const pairs = new Map<number, number>(); // key a * 2^20 + b
  const holders = new Map<number, Set<number>>();
  const addWord = (wi: number, sign: 1 | -1): void => {
    const w = words[wi]!;
    for (let i = 0; i + 1 < w.ids.length; i++) {
      const key = w.ids[i]! * 1048576 + w.ids[i + 1]!;
      const c = (pairs.get(key) ?? 0) + sign * w.n;
      if (c === 0) pairs.delete(key);
      else pairs.set(key, c);
      if (sign > 0) {
        let h = holders.get(key);
        if (!h) holders.set(key, (h = new Set()));
        h.add(wi);
      }
    }
  };
  words.forEach((_, wi) => addWord(wi, 1));
  const merges: [number, number][] = [];
  const target = Math.max(0, vocabSize - FIRST_MERGE);
  while (merges.length < target) {
    let bestKey = -1;
    let bestN = 0;
    for (const [key, n] of pairs) if (n > bestN || (n === bestN && key < bestKey)) [bestKey, bestN] = [key, n];
    if (bestKey < 0 || bestN < 2) break; // nothing left worth merging
    const a = Math.floor(bestKey / 1048576);
    const b = bestKey % 1048576;
    const id = FIRST_MERGE + merges.length;
    merges.push([a, b]);
    for (const wi of holders.get(bestKey) ?? []) {
      const w = words[wi]!;
      const merged = mergePair(w.ids, a, b, id);
      if (merged.length === w.ids.length) continue; // a stale holder: the pair left this word earlier
      addWord(wi, -1);
      w.ids = merged;
      addWord(wi, 1);
    }
    holders.delete(bestKey);
  }
  return { merges, vocabSize: FIRST_MERGE + merges.length };
}

/** The straightforward trainer (recount every pair per merge): the reference the fast one is tested against. */
export function trainBpeReference(lines: readonly string[], vocabSize: number): BpeModel {
  const counts = new Map<string, number>();
  for (const line of lines) for (const m of line.matchAll(PRETOKEN)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const words = [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([w, n]) => ({ ids: Array.from(utf8.encode(w)), n }));
  const merges: [number, number][] = [];
  while (merges.length < Math.max(0, vocabSize - FIRST_MERGE)) {
    const pairs = new Map<number, number>();
    for (const w of words) for (let i = 0; i + 1 < w.ids.length; i++) {
      const key = w.ids[i]! * 1048576 + w.ids[i + 1]!;
      pairs.set(key, (pairs.get(key) ?? 0) + w.n);
    }
    let bestKey = -1;
    let bestN = 0;
    for (const [key, n] of pairs) if (n > bestN || (n === bestN && key < bestKey)) [bestKey, bestN] = [key, n];
    if (bestKey < 0 || bestN < 2) break;
    const a = Math.floor(bestKey / 1048576);
    const b = bestKey % 1048576;
    merges.push([a, b]);
    for (const w of words) w.ids = mergePair(w.ids, a, b, FIRST_MERGE + merges.length - 1);
  }
  return { merges, vocabSize: FIRST_MERGE + merges.length };
}

function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(ids[i]!);
  }
  return out;
}

/** A tokenizer from a trained BPE model. */
export function bpeTokenizer(model: BpeModel): Tokenizer {
  const rank = new Map<number, number>();
  model.merges.forEach(([a, b], i) => rank.set(a * 1048576 + b, i));
  const bytesOf: Uint8Array[] = Array.from({ length: 256 }, (_, i) => Uint8Array.of(i));
  bytesOf.push(new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)); // specials decode to nothing
  for (const [a, b] of model.merges) {
    const x = bytesOf[a]!;
    const y = bytesOf[b]!;
    const z = new Uint8Array(x.length + y.length);
    z.set(x);
    z.set(y, x.length);
    bytesOf.push(z);
  }
  const cache = new Map<string, number[]>();
  const encodeWord = (w: string): number[] => {
    const hit = cache.get(w);
    if (hit) return hit;
    let ids = Array.from(utf8.encode(w));
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = rank.get(ids[i]! * 1048576 + ids[i + 1]!);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      const [a, b] = model.merges[bestRank]!;
      ids = mergePair(ids, a, b, FIRST_MERGE + bestRank);
    }
    if (cache.size < 100000) cache.set(w, ids);
    return ids;
  };
  const digest = createHash("sha256").update(JSON.stringify(model.merges)).digest("hex").slice(0, 8);
  return {
    name: `bpe:${model.vocabSize}:${digest}`,
    vocabSize: model.vocabSize,
    eos: 256,
    pad: 257,
    bos: 258,
    encode: (s) => {
      const out: number[] = [];
      for (const m of s.matchAll(PRETOKEN)) pushAll(out, encodeWord(m[0]));
      return out;
    },
    decode: (ids) => {
      const parts = ids.filter((i) => i >= 0 && i < bytesOf.length).map((i) => bytesOf[i]!);
      const total = parts.reduce((n, p) => n + p.length, 0);
      const buf = new Uint8Array(total);
      let o = 0;
      for (const p of parts) {
        buf.set(p, o);
        o += p.length;
      }
      return utf8Decoder.decode(buf);
    },
  };
}

/** GPT-2's BPE (r50k_base): 50,257 tokens, `<|endoftext|>` = 50256 as EOS and PAD. Loaded on demand. */
export async function gpt2(): Promise<Tokenizer> {
  const enc = await import("gpt-tokenizer/encoding/r50k_base");
  return {
    name: "gpt2",
    vocabSize: 50257,
    eos: 50256,
    pad: 50256,
    encode: (s) => enc.encode(s, { disallowedSpecial: new Set() }),
    decode: (ids) => enc.decode(ids),
  };
}
