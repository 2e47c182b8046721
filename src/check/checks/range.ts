// Checks of a range value (`k = 4..9`).
import type { Check } from "./types.js";

const checkRangeOrder: Check<"Range"> = (r, accept) => {
  if (r.lo.value > r.hi.value) accept("AL2013", r, `range ${r.lo.raw}..${r.hi.raw} is empty: lo must be ≤ hi`, `write ${r.hi.raw}..${r.lo.raw}`);
};

export const rangeChecks: Check<"Range">[] = [checkRangeOrder];
