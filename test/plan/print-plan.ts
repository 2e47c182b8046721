// Helper process for plan determinism tests: prints the canonical JSON of the fixture plan.
// ALIGNC_SHUFFLE=1 reverses every property object's key order and the declaration order first.
import { canonicalJson } from "../../src/plan/canonical.js";
import { planRecipe } from "../../src/plan/compile.js";
import { QUICK_FILES, quickRecipe, tempFiles } from "./fixture.js";

const shuffle = process.env.ALIGNC_SHUFFLE === "1";
const recipe = quickRecipe({
  root: tempFiles(QUICK_FILES),
  reverse: shuffle,
  patch: shuffle ? (blocks) => blocks.forEach((b) => (b.props = Object.fromEntries(Object.entries(b.props).reverse()))) : undefined,
});
process.stdout.write(canonicalJson(planRecipe(recipe, { engine: { alignc: "t", epoch: 1 } }).plan) + "\n");
