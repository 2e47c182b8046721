// The quickstart and the recipes that extend it (one cache: quickstart-kl's variants reuse its stages).
import { basename } from "node:path";
import { testExampleRecipes } from "./example-recipes.js";

testExampleRecipes("quickstart*", (f) => basename(f).startsWith("quickstart"));
