// Where a recipe's relative paths start: its folder as named, with the links in that folder's path
// followed. A recipe reached through a link to the file still reads from the link's folder (README),
// but `../templates` from a linked folder now names the target's sibling, as the OS, `ls` and a C
// compiler's `#include "…"` find it: path.resolve took `..` lexically and named the link's sibling
// ("does not exist (resolved to …)" for a file `ls` showed; huntG40 L2).
import { dirname, resolve } from "node:path";
import { realPathOrNearest } from "../common/fs-probe.js";

/** The recipe's folder, absolute, its links followed (those of its nearest existing folder when it is gone). */
export function recipeFolder(file: string): string {
  return realPathOrNearest(dirname(resolve(file)));
}

/** A path a recipe names, absolute: against the recipe's folder (recipeFolder). */
export function resolveFromRecipe(file: string, path: string): string {
  return resolve(recipeFolder(file), path);
}
