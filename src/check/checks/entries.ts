// The entries of a block body (a declaration's or the header's): unknown, dotted and duplicate
// properties, and mixture components where only properties belong.
import type { Entry } from "../../lang/ast.js";
import type { Accept } from "../context.js";
import type { Located } from "../lower.js";

/** Unknown, dotted and duplicate properties of a block body; components outside mixtures. */
export function checkEntries(entries: Entry[], props: Record<string, unknown>, owner: string, accept: Accept, hintFor: (k: string) => string | undefined, componentsAllowed: boolean): void {
  const seen = new Map<string, Located>();
  const components = new Map<string, Located>();
  for (const e of entries) {
    if (e.type === "Component") {
      if (!componentsAllowed) {
        accept("AL2004", e.name, `\`${e.name.name}: …\` is a mixture component; ${owner} takes properties \`key = value\``);
        continue;
      }
      const prev = components.get(e.name.name);
      if (prev) accept("AL2026", e.name, `component \`${e.name.name}\` is already in this mixture (line ${prev.span.line})`);
      else components.set(e.name.name, e);
      continue;
    }
    const key = e.path.map((p) => p.name).join(".");
    if (e.path.length !== 1) {
      accept("AL2004", e.path[0]!, `\`${key}\`: dotted property paths are only for overrides in \`recipe … extends "…" { … }\``);
      continue;
    }
    if (!Object.hasOwn(props, key)) {
      accept("AL2004", e.path[0]!, `${owner} has no property \`${key}\``, hintFor(key));
      continue;
    }
    const prev = seen.get(key);
    if (prev) accept("AL2025", e.path[0]!, `\`${key}\` is already set in this block (line ${prev.span.line})`);
    else seen.set(key, e);
  }
}
