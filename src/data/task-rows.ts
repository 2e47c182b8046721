// A source read only by FLAN tasks (`as records`, or with no role) holds rows whose fields the tasks'
// templates render, not examples of its own: its fields need not be a prompt and a response (SST-2's
// `label` and `sentence`), so building it alone guessed demonstrations and failed at every row. The
// planner sizes, and `alignc data` shows, the tasks instead.
import type { CheckedRecipe } from "../check/ir.js";

/** The tasks that read source `name` (none, for `as records` rows nothing reads yet) when they are all
 * that reads it and it declares no examples role; else null. */
export function tasksReadingRows(recipe: CheckedRecipe, name: string): string[] | null {
  const b = recipe.blocks.find((x) => x.name === name);
  if (!b || b.keyword !== "source" || (b.role !== null && b.role !== "records")) return null;
  const users = recipe.blocks.filter((x) => x.deps.includes(name));
  return (users.length > 0 || b.role === "records") && users.every((u) => u.keyword === "task") ? users.map((u) => u.name) : null;
}
