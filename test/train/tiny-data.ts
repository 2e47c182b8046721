// The tiny token sequences engine tests train on (vocabulary 16, EOS 1): four prompt/response pairs
// whose loss mask covers the response and its EOS. Shared so the tests that count tensors and the ones
// that check training train on the same thing.
import type { TokenSequence } from "../../src/train/batch.js";

export const EOS = 1;

export const TINY_SFT: readonly TokenSequence[] = [
  { tokens: [2, 3, 4, 5, 6, 7, 8, EOS], lossMask: [0, 0, 0, 1, 1, 1, 1, 1] },
  { tokens: [2, 9, 4, 10, 11, 12, EOS], lossMask: [0, 0, 0, 1, 1, 1, 1] },
  { tokens: [2, 13, 4, 14, 14, 15, 3, EOS], lossMask: [0, 0, 0, 1, 1, 1, 1, 1] },
  { tokens: [2, 5, 4, 6, 7, EOS], lossMask: [0, 0, 0, 1, 1, 1] },
];
