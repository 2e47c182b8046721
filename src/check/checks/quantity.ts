// Checks of a quantity (`10m`, `4GiB`): a known unit.
import type { QuantityValue } from "../../lang/ast.js";
import { didYouMean } from "../../common/did-you-mean.js";
import { normaliseQuantity, UNIT_NAMES } from "../units.js";
import type { Check } from "./types.js";

const checkUnit: Check<"Quantity"> = (q: QuantityValue, accept, ctx) => {
  if (normaliseQuantity(q.value, q.unit)) return;
  ctx.poisoned.add(q);
  accept("AL2019", q, `unknown unit \`${q.unit}\` in \`${q.raw}\``, didYouMean(q.unit, UNIT_NAMES));
};

export const quantityChecks: Check<"Quantity">[] = [checkUnit];
