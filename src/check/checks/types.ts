// The shape of a semantic check: a function of one AST node type, reporting through `accept`. The
// table in ./index.ts registers each node type's checks; each node type's checks live in its own module.
import type { Comparison, ComponentEntry, ConditionBlock, Declaration, RecipeFile, RecipeHeader, Value } from "../../lang/ast.js";
import type { Accept, CheckContext } from "../context.js";

export type NodeOf<T extends string> = Extract<RecipeFile | RecipeHeader | Declaration | ConditionBlock | Comparison | ComponentEntry | Value, { type: T }>;
export type Check<T extends string> = (node: NodeOf<T>, accept: Accept, ctx: CheckContext) => void;
export type CheckTable = { [T in NodeOf<string>["type"]]?: Check<T>[] };
