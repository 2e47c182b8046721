// Checks of a number literal: finite, and an integer only as large as a number holds exactly.
import type { NumberValue } from "../../lang/ast.js";
import type { Check } from "./types.js";

const checkFinite: Check<"Number"> = (n: NumberValue, accept, ctx) => {
  if (Number.isFinite(n.value)) return;
  ctx.poisoned.add(n);
  accept("AL2008", n, `\`${n.raw}\` is too large for a number`);
};

// 2^53 + 1 reads as 2^53: an integer past Number.MAX_SAFE_INTEGER is silently a different number
const checkSafeInteger: Check<"Number"> = (n: NumberValue, accept, ctx) => {
  if (!Number.isFinite(n.value) || !Number.isInteger(n.value) || Number.isSafeInteger(n.value) || /[.eE]/.test(n.raw)) return;
  ctx.poisoned.add(n);
  accept("AL2008", n, `\`${n.raw}\` is past ${Number.MAX_SAFE_INTEGER} (2^53 − 1), the largest integer a number holds exactly: it would read as ${n.value}`);
};

export const numberChecks: Check<"Number">[] = [checkFinite, checkSafeInteger];
