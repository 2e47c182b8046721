// Checks of the recipe header: its properties and what analysing it found.
import { didYouMean } from "../../common/did-you-mean.js";
import { HEADER_PROPS } from "../kinds.js";
import { checkEntries } from "./entries.js";
import type { Check } from "./types.js";

const checkHeaderProperties: Check<"RecipeHeader"> = (h, accept, ctx) => {
  if (h !== ctx.headerNode) return; // a second header is a syntax error (AL1020)
  checkEntries(h.body.entries, HEADER_PROPS, "the recipe header", accept, (key) => didYouMean(key, Object.keys(HEADER_PROPS)), false);
  for (const i of ctx.header?.issues ?? []) accept(i.code, i.node ?? h.name, i.message, i.hint);
};

export const headerChecks: Check<"RecipeHeader">[] = [checkHeaderProperties];
