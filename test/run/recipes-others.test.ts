// Every example recipe that recipes-quickstart.test.ts does not take (the two files split recipes/ between them).
import { basename } from "node:path";
import { testExampleRecipes } from "./example-recipes.js";

testExampleRecipes("all but quickstart*", (f) => !basename(f).startsWith("quickstart"));
