// Sweeps → variants. A recipe whose properties hold `{ $sweep: [...] }` values stands for the cross
// product of those values: one variant per combination, named `<recipe>[<prop>=<value>,…]`, each
// an ordinary sweep-free CheckedRecipe compiled on its own. mergeVariantPlans then folds the
// variant plans into one: a node whose hash is the same in every variant appears once under its
// own id (it is shared, computed once), others once per variant as `<id>[<prop>=<value>,…]`.
import type { CheckedBlock, CheckedRecipe, IRRecord, IRValue } from "../check/ir.js";
import { canonicalJson } from "./canonical.js";
import { topoSortNodes } from "../common/graph.js";
import type { Json, PlanNode, PlanVariant } from "./types.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { byCodeUnits } from "../common/code-order.js";

/** One swept property: `policy.kl_coef = sweep [0.01, 0.05]` → { block: "policy", path: ["kl_coef"] }. */
export interface SweepSite {
  block: string; // "" for the recipe header
  path: string[];
  values: IRValue[];
}

export interface Variant {
  name: string; // "quickstart[kl_coef=0.05]"
  label: string; // "kl_coef=0.05"
  parts: string[]; // one "prop=value" per sweep site, in site order
  bindings: { [site: string]: Json }; // "policy.kl_coef": 0.05
  recipe: CheckedRecipe;
}

export function findSweeps(recipe: CheckedRecipe): SweepSite[] {
  const sites: SweepSite[] = [];
  // one path stack, copied only where a sweep is found: a FLAN-scale mixture has thousands of
  // component records to walk through, none of them swept
  const path: string[] = [];
  const walk = (block: string, v: IRValue): void => {
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) return; // sweeps are property values, not list items (AL2033 in the checker)
    if ("$sweep" in v && Array.isArray(v.$sweep)) {
      sites.push({ block, path: [...path], values: v.$sweep });
      return;
    }
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      path.push(k);
      walk(block, (v as IRRecord)[k] as IRValue);
      path.pop();
    }
  };
  walk("", recipe.header);
  for (const b of recipe.blocks) walk(b.name, b.props);
  return sites.sort((a, b) => byCodeUnits(siteKey(a), siteKey(b)));
}

export function siteKey(s: Pick<SweepSite, "block" | "path">): string {
  return [s.block || "recipe", ...s.path].join(".");
}

/** The cross product of every sweep, in site order then value order; [] when the recipe has no sweep. */
export function expandVariants(recipe: CheckedRecipe): Variant[] {
  const sites = findSweeps(recipe);
  if (sites.length === 0) return [];
  const labels = shortLabels(sites);
  let combos: IRValue[][] = [[]];
  for (const s of sites) combos = combos.flatMap((c) => s.values.map((v) => [...c, v]));
  // names must tell variants apart: a string is written bare unless it holds what separates a name's parts;
  // where two names still meet (a ref `rm` beside a string "rm"), every string is quoted (huntZ40 H3: two of
  // four variants shared a name, and one variant's plan took the other's node)
  const partsOf = (values: IRValue[], quote: boolean) => sites.map((_, i) => `${labels[i]}=${formatValue(values[i]!, quote)}`);
  const quote = new Set(combos.map((values) => partsOf(values, false).join(","))).size < combos.length;
  return combos.map((values) => {
    const parts = partsOf(values, quote);
    const label = parts.join(",");
    const bindings: { [k: string]: Json } = {};
    sites.forEach((s, i) => (bindings[siteKey(s)] = values[i] as Json));
    return { name: `${recipe.name}[${label}]`, label, parts, bindings, recipe: bind(recipe, sites, values) };
  });
}

/** The variant a user names (`--variant`): its full name, its label, or either with the label's parts in
 * another order (`seed=17,temperature=0.3` for `temperature=0.3,seed=17`: the order is the sweeps' sorted
 * sites, which a user has no reason to know). Parts are matched whole, never split on commas, since a
 * value may hold one (a range, a list, a string). Exact names first. */
export function findVariant(variants: readonly Variant[], asked: string): Variant | undefined {
  const exact = variants.find((v) => v.name === asked || v.label === asked);
  if (exact) return exact;
  return variants.find((v) => {
    const prefix = v.name.slice(0, v.name.length - v.label.length - 1); // `recipe[`
    const inner = asked.startsWith(prefix) && asked.endsWith("]") ? asked.slice(prefix.length, -1) : asked;
    return isOrdering(inner, v.parts);
  });
}

/** Whether `text` is `parts` joined by "," (spaces allowed after it) in some order. */
function isOrdering(text: string, parts: readonly string[]): boolean {
  if (parts.length === 0) return text === "";
  return parts.some((p, i) => {
    if (!text.startsWith(p)) return false;
    const rest = text.slice(p.length);
    const others = parts.filter((_, j) => j !== i);
    if (others.length === 0) return rest === "";
    return rest.startsWith(",") && isOrdering(rest.slice(1).trimStart(), others);
  });
}

/** A property's last name when no other sweep ends with it, else its whole dotted path. */
function shortLabels(sites: SweepSite[]): string[] {
  const last = sites.map((s) => s.path[s.path.length - 1] ?? s.block);
  return sites.map((s, i) => (last.filter((l) => l === last[i]).length === 1 ? last[i]! : siteKey(s)));
}

/** A value as a variant's name writes it: a string bare when it is plain, quoted (JSON) when it holds a
 * comma, `=`, a bracket, a quote or white space, is empty, or `quote` asks (names that would meet). */
export function formatValue(v: IRValue, quote = false): string {
  if (typeof v === "string") return quote || !/^[^,=[\]"\s]+$/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (!Array.isArray(v) && typeof (v as { $ref?: unknown }).$ref === "string") return (v as { $ref: string }).$ref;
  return canonicalJson(v);
}

function bind(recipe: CheckedRecipe, sites: SweepSite[], values: IRValue[]): CheckedRecipe {
  let header = recipe.header;
  const blocks = new Map<string, CheckedBlock>(recipe.blocks.map((b) => [b.name, b]));
  sites.forEach((s, i) => {
    if (s.block === "") header = setPath(header, s.path, values[i]!);
    else {
      const b = blocks.get(s.block)!;
      blocks.set(s.block, { ...b, props: setPath(b.props, s.path, values[i]!) });
    }
  });
  const seed = typeof header.seed === "number" ? header.seed : recipe.seed;
  return { ...recipe, header, seed, blocks: recipe.blocks.map((b) => blocks.get(b.name)!) };
}

function setPath(rec: IRRecord, path: string[], value: IRValue): IRRecord {
  const [head, ...rest] = path;
  if (head === undefined) return rec;
  const child = rec[head];
  return { ...rec, [head]: rest.length === 0 ? value : setPath(isRecord(child) ? child : {}, rest, value) };
}

function isRecord(v: IRValue | undefined): v is IRRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Folds per-variant node lists into one plan. A node with one hash in every variant keeps its id
 * (shared, computed once); otherwise each distinct computation appears once, as
 * `<id>[<prop>=<value>,…]` naming only the sweeps its hash depends on (`rm[lr=0.0001]` is shared by
 * every kl_coef variant of an rm.lr × policy.kl_coef sweep).
 */
export function mergeVariantPlans(variants: { variant: Variant; nodes: PlanNode[] }[]): { nodes: PlanNode[]; variants: PlanVariant[] } {
  const hashOf = variants.map(({ nodes }) => new Map(nodes.map((n) => [n.id, n.hash])));
  const ids = [...new Set(variants.flatMap(({ nodes }) => nodes.map((n) => n.id)))];
  const sites = variants[0]?.variant.parts.length ?? 0;
  const relevant = new Map<string, number[]>(); // id → the sweep sites its hash depends on
  for (const id of ids) {
    const present = variants.map((_, v) => v).filter((v) => hashOf[v]!.has(id));
    const consistent = (keep: number[]): boolean => {
      const seen = new Map<string, string>();
      for (const v of present) {
        const key = keep.map((i) => variants[v]!.variant.parts[i]).join(",");
        const h = hashOf[v]!.get(id)!;
        if ((seen.get(key) ?? h) !== h) return false;
        seen.set(key, h);
      }
      return true;
    };
    let keep = [...Array(sites).keys()];
    for (let i = 0; i < sites; i++) {
      const without = keep.filter((k) => k !== i);
      if (consistent(without)) keep = without;
    }
    if (present.length !== variants.length && keep.length === 0) keep = [...Array(sites).keys()];
    relevant.set(id, keep);
  }
  const union = new Map<string, PlanNode>();
  const list: PlanVariant[] = [];
  for (const { variant, nodes } of variants) {
    const rename = (id: string): string => {
      const keep = relevant.get(id) ?? [];
      return keep.length === 0 ? id : `${id}[${keep.map((i) => variant.parts[i]).join(",")}]`;
    };
    const mine: string[] = [];
    for (const n of nodes) {
      const id = rename(n.id);
      mine.push(id);
      if (!union.has(id)) union.set(id, { ...n, id, inputs: n.inputs.map(rename).sort(), params: renameRefs(n.params, rename) as PlanNode["params"] });
    }
    list.push({ name: variant.name, bindings: variant.bindings, nodes: mine });
  }
  return { nodes: topoSortNodes([...union.values()]), variants: list };
}

function renameRefs(v: Json, rename: (id: string) => string): Json {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => renameRefs(x, rename));
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === "$ref" && typeof x === "string" ? rename(x) : renameRefs(x, rename);
  return out;
}


/** Each variant's diagnostics as one list: one that every variant found, once; one that some found,
 * naming them (`alignc plan` of a sweep, `alignc check`'s data checks of each variant). */
export function variantDiagnostics(found: { name: string; diagnostics: Diagnostic[] }[]): Diagnostic[] {
  const seen = new Map<string, { d: Diagnostic; variants: string[] }>();
  for (const r of found)
    for (const d of r.diagnostics) {
      const key = canonicalJson(d);
      const e = seen.get(key) ?? seen.set(key, { d, variants: [] }).get(key)!;
      if (!e.variants.includes(r.name)) e.variants.push(r.name);
    }
  return [...seen.values()].map(({ d, variants }) => (variants.length === found.length ? d : { ...d, message: `${d.message} (in ${variants.join(", ")})` }));
}
