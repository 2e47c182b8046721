// Plan diff, as `terraform plan` shows one: nodes of A and B are matched, then each gets one action
// of a closed set:
//   =  reused   same hash (maybe under another name): its cached output serves B as is
//   ~  changed  matched by name or by lineage, different hash: re-run, with each param `old → new`
//   +  added    only in B
//   -  removed  only in A
// Matching, in order: (1) equal hashes; (2) equal ids; (3) lineage: an unmatched B node whose kind,
// op and (already matched) inputs equal exactly one unmatched A node's is that node renamed and
// changed. Entries are sorted by id; the same two plans always give the same diff.
import { canonicalJson } from "./canonical.js";
import type { Json, Plan, PlanNode } from "./types.js";
import { byCodeUnits } from "../common/code-order.js";

export type Action = "+" | "-" | "~" | "=";

export interface ParamChange {
  path: string; // "lr", "components[sentiment].cap", "files[data/x.jsonl]", "engine"
  old?: Json; // absent: the parameter is new
  new?: Json; // absent: the parameter was removed
}

export interface DiffEntry {
  action: Action;
  id: string; // B's id (A's for `-`)
  from?: string; // A's id when it differs (renamed)
  kind: string;
  op: string;
  hash?: string; // B's hash
  old_hash?: string; // A's hash, when it differs
  changes?: ParamChange[]; // `~`: what changed in the node itself
  because?: string[]; // `~`: inputs (B ids) that changed upstream
}

/** An `expect` line (as the plan records it: src/plan/compile.ts gateText) only in A (`-`) or only in B (`+`). */
export interface GateChange {
  action: "+" | "-";
  text: string;
}

export interface PlanDiff {
  a: string;
  b: string;
  equal: boolean; // no node added, removed or changed (renames of equal nodes are equal), and the same gates
  entries: DiffEntry[];
  gates: GateChange[]; // removed lines first, then added ones, each in its plan's order
  rerun: string[]; // stages and evals of B that must run (+ or ~), sorted
  reused: string[]; // stages, evals and draws of B whose cached outputs are reused (=), sorted
}

/** Nodes a run computes into the cache (the rest are built in memory by whatever reads them): stages,
 * evals, and a `samples(...)` source's draw, which generates like an eval (huntG40: left out of "reused"). */
const CACHED = (e: { kind: string; op: string }) => e.kind === "stage" || e.kind === "eval" || (e.kind === "data" && e.op === "samples");

export function diffPlans(a: Plan, b: Plan, labels: { a?: string; b?: string } = {}): PlanDiff {
  const matchAB = new Map<string, string>(); // A id → B id
  const matchBA = new Map<string, string>();
  const pair = (x: PlanNode, y: PlanNode): void => {
    matchAB.set(x.id, y.id);
    matchBA.set(y.id, x.id);
  };
  const aById = new Map(a.nodes.map((n) => [n.id, n]));
  const bById = new Map(b.nodes.map((n) => [n.id, n]));

  // (1) equal hashes: same id first, then in plan order
  const aByHash = new Map<string, PlanNode[]>();
  for (const n of a.nodes) (aByHash.get(n.hash) ?? aByHash.set(n.hash, []).get(n.hash)!).push(n);
  for (const pass of [true, false])
    for (const y of b.nodes) {
      if (matchBA.has(y.id)) continue;
      const x = (aByHash.get(y.hash) ?? []).find((c) => !matchAB.has(c.id) && (!pass || c.id === y.id));
      if (x) pair(x, y);
    }
  // (2) equal ids
  for (const y of b.nodes) {
    const x = aById.get(y.id);
    if (x && !matchBA.has(y.id) && !matchAB.has(x.id)) pair(x, y);
  }
  // (3) lineage, in B's topological order so that inputs are matched before their consumers
  for (const y of b.nodes) {
    if (matchBA.has(y.id)) continue;
    const mapped = y.inputs.map((i) => matchBA.get(i));
    if (mapped.some((m) => m === undefined)) continue;
    const want = canonicalJson([...(mapped as string[])].sort());
    const cands = a.nodes.filter((x) => !matchAB.has(x.id) && x.kind === y.kind && x.op === y.op && canonicalJson([...x.inputs].sort()) === want);
    if (cands.length === 1) pair(cands[0]!, y);
  }

  const entries: DiffEntry[] = [];
  for (const y of b.nodes) {
    const xId = matchBA.get(y.id);
    const base = { id: y.id, kind: y.kind, op: y.op, hash: y.hash };
    if (xId === undefined) {
      entries.push({ action: "+", ...base });
      continue;
    }
    const x = aById.get(xId)!;
    const from = xId !== y.id ? { from: xId } : {};
    if (x.hash === y.hash) {
      entries.push({ action: "=", ...base, ...from });
      continue;
    }
    const toB = (id: string): string => matchAB.get(id) ?? id;
    const changes = paramChanges(renameRefs(x.params, toB), y.params);
    changes.push(...fileChanges(x, y));
    const because = y.inputs.filter((i) => {
      const xi = matchBA.get(i);
      return xi === undefined || aById.get(xi)!.hash !== bById.get(i)!.hash;
    });
    if (changes.length === 0 && because.length === 0 && canonicalJson(a.engine) !== canonicalJson(b.engine))
      changes.push({ path: "engine", old: a.engine as unknown as Json, new: b.engine as unknown as Json });
    entries.push({ action: "~", ...base, ...from, old_hash: x.hash, changes, ...(because.length ? { because } : {}) });
  }
  for (const x of a.nodes) if (!matchAB.has(x.id)) entries.push({ action: "-", id: x.id, kind: x.kind, op: x.op, old_hash: x.hash });
  entries.sort((p, q) => byCodeUnits(p.id, q.id) || byCodeUnits(p.action, q.action));

  const gates = gateChanges(a, b);
  return {
    a: labels.a ?? planLabel(a),
    b: labels.b ?? planLabel(b),
    equal: entries.every((e) => e.action === "=") && gates.length === 0,
    entries,
    gates,
    rerun: entries.filter((e) => CACHED(e) && (e.action === "+" || e.action === "~")).map((e) => e.id).sort(byCodeUnits),
    reused: entries.filter((e) => CACHED(e) && e.action === "=").map((e) => e.id).sort(byCodeUnits),
  };
}

export function planLabel(p: Plan): string {
  return p.recipe.variant ?? p.recipe.name;
}

/** Leaf-by-leaf differences between two params objects (refs, files and calls are leaves). */
export function paramChanges(a: { [k: string]: Json }, b: { [k: string]: Json }): ParamChange[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const out: ParamChange[] = [];
  for (const path of [...new Set([...fa.keys(), ...fb.keys()])].sort(byCodeUnits)) {
    const [x, y] = [fa.get(path), fb.get(path)];
    if (x !== undefined && y !== undefined && canonicalJson(x) === canonicalJson(y)) continue;
    out.push({ path, ...(x !== undefined ? { old: x } : {}), ...(y !== undefined ? { new: y } : {}) });
  }
  return out;
}

function flatten(v: { [k: string]: Json }): Map<string, Json> {
  const out = new Map<string, Json>();
  const walk = (x: Json, path: string): void => {
    if (isLeaf(x)) {
      out.set(path, x);
      return;
    }
    if (Array.isArray(x)) {
      // mixture components: keyed by the input they name, not by position
      if (x.every((e) => e !== null && typeof e === "object" && !Array.isArray(e) && refOf(e.input) !== undefined)) {
        for (const e of x as { [k: string]: Json }[]) {
          const { input, ...rest } = e;
          const p = `${path}[${refOf(input)}]`;
          if (Object.keys(rest).length === 0) out.set(p, true);
          for (const [k, y] of Object.entries(rest)) walk(y, `${p}.${k}`);
        }
      } else out.set(path, x);
      return;
    }
    for (const [k, y] of Object.entries(x as { [k: string]: Json })) walk(y, path ? `${path}.${k}` : k);
  };
  walk(v, "");
  return out;
}

/** The gates (`expect` lines) of A that B lacks, then B's that A lacks: what a run of B judges otherwise.
 * None when a side was made before plans recorded their gates (no `recipe.expect`: unknown, not none). */
export function gateChanges(a: Plan, b: Plan): GateChange[] {
  if (a.recipe.expect === undefined || b.recipe.expect === undefined) return [];
  const [ga, gb] = [a.recipe.expect, b.recipe.expect];
  return [...ga.filter((g) => !gb.includes(g)).map((text) => ({ action: "-" as const, text })), ...gb.filter((g) => !ga.includes(g)).map((text) => ({ action: "+" as const, text }))];
}

function isLeaf(x: Json): boolean {
  if (x === null || typeof x !== "object") return true;
  if (Array.isArray(x)) return false;
  return "$ref" in x || "$file" in x || "$dir" in x || "$call" in x || "$range" in x || "$quantity" in x || Object.keys(x).length === 0;
}

function refOf(v: Json | undefined): string | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$ref === "string" ? v.$ref : undefined;
}

function fileChanges(x: PlanNode, y: PlanNode): ParamChange[] {
  const fx = new Map(x.files.map((f) => [f.path, f.sha256]));
  const fy = new Map(y.files.map((f) => [f.path, f.sha256]));
  const out: ParamChange[] = [];
  for (const path of [...new Set([...fx.keys(), ...fy.keys()])].sort(byCodeUnits)) {
    const [p, q] = [fx.get(path), fy.get(path)];
    if (p === q) continue;
    out.push({ path: `files[${path}]`, ...(p ? { old: `sha256:${p.slice(0, 12)}` } : {}), ...(q ? { new: `sha256:${q.slice(0, 12)}` } : {}) });
  }
  return out;
}

function renameRefs(v: { [k: string]: Json }, rename: (id: string) => string): { [k: string]: Json } {
  const walk = (x: Json): Json => {
    if (x === null || typeof x !== "object") return x;
    if (Array.isArray(x)) return x.map(walk);
    const out: { [k: string]: Json } = {};
    for (const [k, y] of Object.entries(x)) out[k] = k === "$ref" && typeof y === "string" ? rename(y) : walk(y);
    return out;
  };
  return walk(v) as { [k: string]: Json };
}

