// Checks of the whole file: unique block names, no reference cycles.
import type { Declaration } from "../../lang/ast.js";
import { findCycles } from "../../common/graph.js";
import type { RefUse } from "../lower.js";
import type { Check } from "./types.js";

const checkDuplicateNames: Check<"File"> = (file, accept) => {
  const byName = new Map<string, Declaration[]>();
  for (const item of file.items) {
    if (item.type !== "Declaration") continue;
    const list = byName.get(item.name.name);
    if (list) list.push(item);
    else byName.set(item.name.name, [item]);
  }
  for (const [name, decls] of byName) {
    if (decls.length < 2) continue;
    const lines = decls.map((d) => d.name.span.line).join(", ");
    for (const d of decls) accept("AL2001", d.name, `\`${name}\` is declared ${decls.length} times (lines ${lines}); names must be unique`);
  }
};

const checkCycles: Check<"File"> = (_file, accept, ctx) => {
  const edges = new Map<string, { to: string; use: RefUse }[]>();
  for (const [name, decl] of ctx.symbols) {
    const info = ctx.blocks.get(decl);
    const out = (info?.lowered.refs ?? []).filter((r) => ctx.symbols.has(r.name)).map((use) => ({ to: use.name, use }));
    edges.set(name, out);
  }
  const adjacency = new Map([...edges].map(([n, es]) => [n, es.map((e) => e.to)]));
  const none: string[] = [];
  for (const cycle of findCycles([...ctx.symbols.keys()], (n) => adjacency.get(n) ?? none)) {
    const first = cycle[0]!;
    const next = cycle[1] ?? first; // a block referencing itself is a cycle of one
    const use = edges.get(first)!.find((e) => e.to === next)!.use;
    accept("AL2010", use.node, `reference cycle: ${[...cycle, first].join(" → ")}`);
  }
};

export const fileChecks: Check<"File">[] = [checkDuplicateNames, checkCycles];
