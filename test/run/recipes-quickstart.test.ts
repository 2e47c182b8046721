// The quickstart and the recipes that extend it (one cache).
import { basename } from "node:path";
import { testExampleRecipes } from "./example-recipes.js";

testExampleRecipes("quickstart*", (f) => basename(f).startsWith("quickstart"), {
  // its kl_coef 0.05 variant is the quickstart (every node a cache hit); the 0.02 variant's tiny PPO and
  // judges cost about 110 s of one core, and npm test measured 567-592 s against its 600. That a swept
  // variant trains with its own value is recipe-test.test.ts's (a micro sweep's tiny runs) and contract.test.ts's.
  "quickstart-kl.align": "its 0.02 variant's tiny run takes about 2 minutes; `alignc test recipes/` runs it",
});
