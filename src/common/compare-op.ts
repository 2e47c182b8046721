// The comparison operators of `expect` and `budget` conditions, as JavaScript evaluates them on doubles.
import type { CompareOp } from "../lang/ast.js";

export function compare(l: number, op: CompareOp, r: number): boolean {
  switch (op) {
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    case ">=":
      return l >= r;
    case "==":
      return l === r;
    case "!=":
      return l !== r;
  }
}
