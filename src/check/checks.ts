// The semantic checks, Langium style: each a small function `checkX(node, accept)` registered in a
// table by AST node type; the walker visits every node once and runs that type's checks. They read
// what CheckContext.analyse() computed (lowered IR, ajv findings, references) and report every
// offender, never only the first.
import { dirname, resolve } from "node:path";
import type {
  CallValue,
  Comparison,
  ComponentEntry,
  ConditionBlock,
  Declaration,
  Entry,
  NumberValue,
  QuantityValue,
  RangeValue,
  RecipeFile,
  RecipeHeader,
  RefValue,
  SweepValue,
  Value,
} from "../lang/ast.js";
import { CALLS, MEMBERS } from "./calls.js";
import type { CheckContext, Accept, BlockInfo } from "./context.js";
import { BUDGETS, CANDIDATE_PROPS, COMPONENT_CLAUSES, HEADER_PROPS, KINDS, METRICS } from "./kinds.js";
import type { Located, RefUse } from "./lower.js";
import { describeRefTo, own } from "./schemas.js";
import { didYouMean, orList } from "../common/did-you-mean.js";
import { normaliseQuantity, UNIT_KIND, UNIT_NAMES } from "./units.js";
import { findCycles } from "../common/graph.js";
import { FULL_SIZE } from "./build.js";

type NodeOf<T extends string> = Extract<RecipeFile | RecipeHeader | Declaration | ConditionBlock | Comparison | ComponentEntry | Value, { type: T }>;
type Check<T extends string> = (node: NodeOf<T>, accept: Accept, ctx: CheckContext) => void;
type CheckTable = { [T in NodeOf<string>["type"]]?: Check<T>[] };

// ---------------------------------------------------------------- file level

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

// ---------------------------------------------------------------- header

const checkHeaderProperties: Check<"RecipeHeader"> = (h, accept, ctx) => {
  if (h !== ctx.headerNode) return; // a second header is a syntax error (AL1020)
  checkEntries(h.body.entries, HEADER_PROPS, "the recipe header", accept, (key) => didYouMean(key, Object.keys(HEADER_PROPS)), false);
  for (const i of ctx.header?.issues ?? []) accept(i.code, i.node ?? h.name, i.message, i.hint);
};

// ---------------------------------------------------------------- declarations

const checkKeywordAndKind: Check<"Declaration"> = (d, accept) => {
  const kinds = own(KINDS, d.keyword.name);
  if (!kinds) {
    accept("AL2002", d.keyword, `unknown block keyword \`${d.keyword.name}\`; blocks are ${orList(Object.keys(KINDS))}`, didYouMean(d.keyword.name, Object.keys(KINDS)));
    return;
  }
  if (own(kinds, d.kind.name)) return;
  let hint = didYouMean(d.kind.name, Object.keys(kinds));
  if (!hint) {
    const elsewhere = Object.entries(KINDS).find(([, ks]) => Object.hasOwn(ks, d.kind.name));
    if (elsewhere) hint = `\`${d.kind.name}\` is a ${elsewhere[0]} kind: \`${elsewhere[0]} ${d.name.name} = ${d.kind.name} …\``;
  }
  accept("AL2003", d.kind, `unknown ${d.keyword.name} kind \`${d.kind.name}\`; ${d.keyword.name} kinds are ${orList(Object.keys(kinds))}`, hint);
};

// `samples(…)` is a source kind (candidates drawn from a trained stage), not a function of values
const SAMPLES_AS_CALL = "`samples(…)` is a kind of source, not a function: it is declared on its own";
const SAMPLES_HINT = "`source cands = samples(sft) as candidates { prompts = prefs.prompts  k = 4  labels = labeled }`";

const checkRole: Check<"Declaration"> = (d, accept, ctx) => {
  const spec = ctx.blocks.get(d)?.spec;
  if (spec && !d.role && d.keyword.name === "source" && d.kind.name === "samples") {
    accept("AL2005", d.kind, "a samples source is a source of candidate sets for `alignc label`: declare it `as candidates`", SAMPLES_HINT);
    return;
  }
  if (!spec || !d.role) return;
  if (!spec.roles) {
    accept("AL2005", d.role, `\`${d.kind.name}\` takes no role (\`as …\` is for sources)`);
    return;
  }
  if (!spec.roles.includes(d.role.name))
    accept("AL2005", d.role, `unknown role \`${d.role.name}\`; a source is ${orList(spec.roles.map((r) => `\`as ${r}\``))}`, didYouMean(d.role.name, spec.roles));
};

const checkArgs: Check<"Declaration"> = (d, accept, ctx) => {
  const spec = ctx.blocks.get(d)?.spec;
  if (!spec) return;
  if (!spec.args) {
    if (d.args) accept("AL2018", d.args[0] ?? d.kind, `\`${d.kind.name}\` takes no arguments: write its properties in \`{ … }\``);
    return;
  }
  const call = own(CALLS, d.kind.name);
  if (call?.args !== "path") return;
  // the labels file of a candidates source may not exist yet: `alignc label` writes it (reading it before is AL3xxx)
  const labelsFile = d.keyword.name === "source" && labelTargets(ctx).has(d.name.name);
  for (const a of d.args ?? []) if (a.type === "String") checkPath(a, a.value, call.expect, accept, ctx, labelsFile);
};

const checkProperties: Check<"Declaration"> = (d, accept, ctx) => {
  const spec = ctx.blocks.get(d)?.spec;
  if (!spec || !d.body) return;
  const props = d.keyword.name === "mixture" ? Object.fromEntries(Object.entries(spec.props).filter(([k]) => k !== "components")) : spec.props;
  const hintFor = (key: string): string | undefined => {
    const near = didYouMean(key, Object.keys(props));
    if (near) return near;
    const kinds = Object.entries(own(KINDS, d.keyword.name) ?? {}).filter(([, s]) => Object.hasOwn(s.props, key)).map(([k]) => k);
    return kinds.length ? `\`${key}\` is a property of ${orList(kinds)}` : undefined;
  };
  checkEntries(d.body.entries, props, `\`${d.kind.name}\``, accept, hintFor, d.keyword.name === "mixture");
  if (d.keyword.name === "source" && d.role && d.role.name !== "candidates")
    for (const e of d.body.entries)
      if (e.type === "Assignment" && e.path.length === 1 && (CANDIDATE_PROPS as readonly string[]).includes(e.path[0]!.name))
        accept("AL2004", e.path[0]!, `\`${e.path[0]!.name}\` is a property of candidates sources (\`as candidates\`, read by \`alignc label\`), not of ${d.role.name} sources`);
};

/** Names of the rankings sources that a candidates source names as `labels = …`: `alignc label` creates their file. */
function labelTargets(ctx: CheckContext): Set<string> {
  const out = new Set<string>();
  for (const d of ctx.symbols.values()) {
    if (d.keyword.name !== "source" || d.role?.name !== "candidates") continue;
    for (const e of d.body?.entries ?? [])
      if (e.type === "Assignment" && e.path.length === 1 && e.path[0]!.name === "labels" && e.value.type === "Ref" && e.value.path.length === 1) out.add(e.value.path[0]!.name);
  }
  return out;
}

/** Unknown, dotted and duplicate properties of a block body; components outside mixtures. */
function checkEntries(entries: Entry[], props: Record<string, unknown>, owner: string, accept: Accept, hintFor: (k: string) => string | undefined, componentsAllowed: boolean): void {
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

const checkSchema: Check<"Declaration"> = (d, accept, ctx) => {
  for (const i of ctx.blocks.get(d)?.issues ?? []) accept(i.code, i.node ?? d.name, i.code === "AL2007" ? `\`${d.name.name}\` (${d.kind.name}) is ${i.message}` : i.message, i.hint);
};

const checkMixture: Check<"Declaration"> = (d, accept, ctx) => {
  if (d.keyword.name !== "mixture" || !ctx.blocks.get(d)?.spec) return;
  const components = (d.body?.entries ?? []).filter((e): e is ComponentEntry => e.type === "Component");
  if (components.length === 0) accept("AL2028", d.name, `mixture \`${d.name.name}\` has no components: write \`task_name: proportional cap N\` or \`source_name: weight W\``);
};

/**
 * `heldout_tasks = [addition]`: each name is a component of this mixture (a name that is no block at
 * all, or a block of the wrong kind, is already AL2009/AL2011), listed once, and at least one
 * component is left to train on. A sweep of lists is checked list by list.
 */
const checkHeldoutTasks: Check<"Declaration"> = (d, accept, ctx) => {
  const info = ctx.blocks.get(d);
  const written = info?.written.get("heldout_tasks") as (Located & { type?: string; value?: Value }) | undefined;
  if (d.keyword.name !== "mixture" || !info?.spec || written?.type !== "Assignment" || !written.value) return;
  const components = (d.body?.entries ?? []).filter((e): e is ComponentEntry => e.type === "Component").map((c) => c.name.name);
  const lists = written.value.type === "Sweep" ? written.value.values.items : [written.value];
  for (const list of lists) {
    if (list.type !== "List") continue; // not a list: AL2006 from the schema
    const seen = new Set<string>();
    for (const item of list.items) {
      if (item.type !== "Ref" || item.path.length !== 1) continue; // AL2006 / AL2015
      const name = item.path[0]!.name;
      const target = ctx.symbols.get(name);
      const fits = target && (target.keyword.name === "task" || (target.keyword.name === "source" && target.role?.name === "demonstrations"));
      if (!fits) continue; // AL2009 / AL2011
      if (!components.includes(name)) {
        accept("AL2036", item, `\`${name}\` is not a component of mixture \`${d.name.name}\` (components: ${components.join(", ") || "none"}); a held-out task is one of the mixture's own tasks, kept out of its training examples`, didYouMean(name, components) ?? `add \`${name}: proportional\` to the mixture`);
        continue;
      }
      if (seen.has(name)) accept("AL2036", item, `\`${name}\` is listed twice in \`heldout_tasks\``);
      seen.add(name);
    }
    if (components.length > 0 && components.every((c) => seen.has(c)))
      accept("AL2036", list, `\`heldout_tasks\` holds out every component of \`${d.name.name}\`: nothing is left to train on`, "keep at least one task in training");
  }
};

/** `split = heldout_tasks` scores a mixture's held-out tasks: the evaluated block must declare some. */
const checkHeldoutTasksSplit: Check<"Declaration"> = (d, accept, ctx) => {
  const info = ctx.blocks.get(d);
  if (d.keyword.name !== "eval" || d.kind.name !== "accuracy" || !info?.spec || !valuesOf(info, "split").includes("heldout_tasks")) return;
  const task = info.props["task"] as { $ref?: unknown } | undefined;
  const target = typeof task?.$ref === "string" ? ctx.symbols.get(task.$ref) : undefined;
  const targetInfo = target ? ctx.blocks.get(target) : undefined;
  if (!target || !targetInfo?.spec) return; // dangling or unknown: reported elsewhere
  const at = valueSpanOf(info.written.get("split") ?? d.name);
  if (target.keyword.name !== "mixture") {
    accept("AL2037", at, `split = heldout_tasks scores a mixture's held-out tasks; \`${target.name.name}\` is a ${target.keyword.name}`, `evaluate the mixture that holds \`${target.name.name}\` out (\`heldout_tasks = [${target.name.name}]\`), or use split = heldout_templates`);
    return;
  }
  const lists = valuesOf(targetInfo, "heldout_tasks");
  if (lists.length === 0 || lists.some((l) => !Array.isArray(l) || l.length === 0))
    accept("AL2037", at, `split = heldout_tasks, but mixture \`${target.name.name}\` holds no task out`, `add \`heldout_tasks = [task]\` to \`${target.name.name}\``);
};

/** Values of a property across a sweep: `[v]`, or the sweep's values. */
function valuesOf(info: BlockInfo, key: string): unknown[] {
  const v = info.props[key];
  return v !== null && typeof v === "object" && "$sweep" in v ? (v.$sweep as unknown[]) : v === undefined ? [] : [v];
}

const checkModelShape: Check<"Declaration"> = (d, accept, ctx) => {
  const info = ctx.blocks.get(d);
  if (d.keyword.name !== "model" || !info?.spec || !Object.hasOwn(info.spec.props, "heads")) return;
  for (const dm of valuesOf(info, "d_model"))
    for (const h of valuesOf(info, "heads")) {
      if (typeof dm !== "number" || typeof h !== "number" || !Number.isInteger(dm) || !Number.isInteger(h) || h < 1) continue;
      if (dm % h === 0) continue;
      const at = info.written.get("heads") ?? info.written.get("d_model") ?? d.name;
      accept("AL2012", valueSpanOf(at), `d_model ${dm} is not divisible by heads ${h} (each head gets d_model / heads dimensions)`, nearDivisors(dm, h));
      return;
    }
};

/**
 * The divisor of d_model nearest to `heads` (the smaller on a tie), found by listing d_model's
 * divisors in pairs up to √d_model: the work is bounded by d_model, never by `heads`, which may be
 * any integer a user (or a fuzzer) writes, up to 1.8e308. No hint past 1e12 (a million steps).
 */
function nearDivisors(dm: number, h: number): string | undefined {
  const n = Math.abs(dm);
  if (n < 1 || n > 1e12) return undefined;
  // every divisor is ≤ n; past it, distances to a huge heads would round to ties
  if (h > n) return `heads = ${n} divides ${dm}`;
  let best = 1;
  const consider = (c: number): void => {
    const d = Math.abs(c - h);
    const bestD = Math.abs(best - h);
    if (d < bestD || (d === bestD && c < best)) best = c;
  };
  for (let i = 1; i * i <= n; i++) {
    if (n % i !== 0) continue;
    consider(i);
    consider(n / i);
  }
  return `heads = ${best} divides ${dm}`;
}

/** The value node of an Assignment (or the node itself). */
function valueSpanOf(n: Located): Located {
  const a = n as Located & { type?: string; value?: Located };
  return a.type === "Assignment" && a.value ? a.value : n;
}

const checkRankingK: Check<"Declaration"> = (d, accept, ctx) => {
  const info = ctx.blocks.get(d);
  if (d.keyword.name !== "source" || !info) return;
  const written = info.written.get("k");
  const k = written ? valueSpanOf(written) : null;
  if (!k || (k as Value).type !== "Range") return;
  const r = k as RangeValue;
  if (r.lo.value < 2) accept("AL2014", r.lo, `k starts at ${r.lo.raw}: a ranking needs at least 2 responses to form a comparison (InstructGPT: 4..9)`);
};

const checkTrainingLength: Check<"Declaration"> = (d, accept, ctx) => {
  const info = ctx.blocks.get(d);
  const spec = info?.spec;
  if (d.keyword.name !== "stage" || !spec || !("steps" in spec.props) || !("epochs" in spec.props)) return;
  if (spec.required?.includes("steps")) return; // the schema already asks for steps
  if (!info.written.has("steps") && !info.written.has("epochs"))
    accept("AL2034", d.name, `stage \`${d.name.name}\` (${d.kind.name}) has no length: set \`steps = N\` or \`epochs = N\` (fixed counts make runs reproduce)`);
};

// ---------------------------------------------------------------- values

const checkComponent: Check<"Component"> = (c, accept, ctx) => {
  const seen = new Set<string>();
  let proportional: Located | null = null;
  let weight: Located | null = null;
  for (const cl of c.clauses) {
    const name = cl.name.name;
    if (!Object.hasOwn(COMPONENT_CLAUSES, name)) {
      accept("AL2027", cl.name, `unknown mixture clause \`${name}\`; clauses are \`proportional\`, \`cap N\`, \`weight W\``, didYouMean(name, Object.keys(COMPONENT_CLAUSES)));
      continue;
    }
    if (seen.has(name)) accept("AL2027", cl.name, `clause \`${name}\` is written twice for \`${c.name.name}\``);
    seen.add(name);
    if (name !== "proportional" && cl.arg === null) {
      ctx.poisoned.add(cl);
      accept("AL2027", cl.name, `\`${name}\` needs a number: \`${name} ${name === "cap" ? "3000" : "1.0"}\``);
    }
    if (name === "proportional") proportional = cl;
    if (name === "weight") weight = cl;
  }
  if (proportional && weight) accept("AL2028", weight, `\`${c.name.name}\` is both \`proportional\` and weighted: choose examples-proportional mixing or a fixed weight`);
  const use = ctx.refUses.get(c.name);
  if (use) checkRefUse(use, accept, ctx);
};

const checkRef: Check<"Ref"> = (r, accept, ctx) => {
  const use = ctx.refUses.get(r);
  if (use) checkRefUse(use, accept, ctx);
};

function keywordQualifier(d: Declaration): string | null {
  return d.keyword.name === "source" ? (d.role?.name ?? null) : d.kind.name;
}

function describeBlock(d: Declaration): string {
  if (d.keyword.name === "source") return d.role ? `a ${d.role.name} source` : "a source with no role";
  return `a ${d.keyword.name} of kind ${d.kind.name}`;
}

function checkRefUse(use: RefUse, accept: Accept, ctx: CheckContext): void {
  const target = ctx.symbols.get(use.name);
  if (!target) {
    accept("AL2009", use.node, `no block named \`${use.name}\` (${use.what} expects ${describeRefTo(use.refTo)})`, didYouMean(use.name, compatibleFirst(use, ctx)));
    return;
  }
  if (use.extraParts > 0) {
    accept("AL2015", use.node, `a reference is \`block\` or \`block.member\`; this one has ${use.extraParts + 2} parts`);
    return;
  }
  if (use.member !== undefined) {
    const members = own(MEMBERS, target.keyword.name) ?? [];
    if (!members.includes(use.member))
      accept("AL2015", use.node, `\`${use.name}\` (${target.keyword.name}) has no member \`${use.member}\`${members.length ? `; members: ${members.join(", ")}` : ""}`, didYouMean(use.member, members));
  }
  // a target whose own kind or role is unknown was reported at its declaration: no second message here
  const spec = ctx.blocks.get(target)?.spec;
  if (!spec || (target.role && !(spec.roles ?? []).includes(target.role.name))) return;
  const qual = keywordQualifier(target);
  // "any source" does not admit a candidates source: its sets are labeled (`alignc label`), never read by a stage or eval
  const fits = use.refTo.some((t) => {
    const [kw, q] = t.split(":");
    return kw === target.keyword.name && (q === undefined ? qual !== "candidates" || kw !== "source" : q === qual);
  });
  if (!fits) {
    const hint =
      target.keyword.name === "source" && !target.role
        ? `declare it with a role: \`source ${target.name.name} = ${target.kind.name}(…) as …\``
        : qual === "candidates" && target.keyword.name === "source"
          ? "candidate sets are labeled with `alignc label`; read the labels through the rankings source its `labels` names"
          : undefined;
    accept("AL2011", use.node, `${use.what} must reference ${describeRefTo(use.refTo)}; \`${use.name}\` is ${describeBlock(target)}`, hint);
  }
}

/** Names for "did you mean", compatible blocks first so `init = sf` suggests the stage `sft`. */
function compatibleFirst(use: RefUse, ctx: CheckContext): string[] {
  const kws = new Set(use.refTo.map((t) => t.split(":")[0]!));
  const names = [...ctx.symbols].filter(([, d]) => kws.has(d.keyword.name)).map(([n]) => n);
  return names.length ? names : [...ctx.symbols.keys()];
}

const checkCall: Check<"Call"> = (c, accept, ctx) => {
  const spec = own(CALLS, c.callee.name);
  if (!spec) {
    ctx.poisoned.add(c);
    if (c.callee.name === "samples") accept("AL2018", c.callee, SAMPLES_AS_CALL, SAMPLES_HINT);
    else accept("AL2018", c.callee, `unknown function \`${c.callee.name}\``, didYouMean(c.callee.name, Object.keys(CALLS)));
    return;
  }
  if (spec.args === "path") {
    const [arg, ...rest] = c.args;
    const extra = spec.extra ?? [];
    const badExtra = rest.find((a, i) => i >= extra.length || a.type !== "String");
    if (arg?.type !== "String" || badExtra) {
      ctx.poisoned.add(c);
      const more = extra.length ? ` and optional strings: ${extra.join(", ")}` : "";
      accept("AL2018", badExtra ?? arg ?? c, `\`${c.callee.name}\` takes one path string${more}, e.g. ${c.callee.name}("data/x${spec.expect === "dir" ? "" : ".jsonl"}")`);
      return;
    }
    checkPath(arg, arg.value, spec.expect, accept, ctx);
    return;
  }
  const [arg] = c.args;
  if (c.args.length !== 1 || arg?.type !== "Ref") {
    ctx.poisoned.add(c);
    accept("AL2018", arg ?? c, `\`${c.callee.name}\` takes one data block name, e.g. ${c.callee.name}(prefs)`);
    return;
  }
  // heldout(x) of a block that holds nothing out would evaluate on nothing
  if (c.callee.name !== "heldout") return;
  const target = ctx.symbols.get(arg.path[0]?.name ?? "");
  const info = target ? ctx.blocks.get(target) : undefined;
  if (!target || !info?.spec || (target.keyword.name !== "source" && target.keyword.name !== "task" && !(target.keyword.name === "stage" && target.kind.name === "pretrain"))) return;
  if (info.props["holdout"] === 0)
    accept("AL2035", arg, `heldout(${target.name.name}): \`${target.name.name}\` keeps no examples out (holdout = 0)`, `set \`holdout = 0.1\` in \`${target.name.name}\``);
};

function checkPath(node: Located & { value: string }, path: string, expect: "file" | "dir", accept: Accept, ctx: CheckContext, mayBeMissing = false): void {
  const abs = resolve(dirname(ctx.fileOf(node)), path);
  const type = ctx.files.typeOf(abs);
  if (type === "missing") {
    if (mayBeMissing) return;
    accept("AL2016", node, `${expect === "dir" ? "folder" : "file"} \`${path}\` does not exist (resolved to ${abs})`);
    return;
  }
  if (type === "special") {
    accept("AL2017", node, `\`${path}\` is not a regular file (a device, FIFO or socket): alignc reads only regular files and folders`);
    return;
  }
  if (expect === "dir" && type !== "dir") accept("AL2017", node, `\`${path}\` is a file; a folder is expected here`);
  if (expect === "file" && type === "dir") accept("AL2017", node, `\`${path}\` is a folder; a file is expected here`);
}

const checkRangeOrder: Check<"Range"> = (r, accept) => {
  if (r.lo.value > r.hi.value) accept("AL2013", r, `range ${r.lo.raw}..${r.hi.raw} is empty: lo must be ≤ hi`, `write ${r.hi.raw}..${r.lo.raw}`);
};

const checkUnit: Check<"Quantity"> = (q: QuantityValue, accept, ctx) => {
  if (normaliseQuantity(q.value, q.unit)) return;
  ctx.poisoned.add(q);
  accept("AL2019", q, `unknown unit \`${q.unit}\` in \`${q.raw}\``, didYouMean(q.unit, UNIT_NAMES));
};

const checkFinite: Check<"Number"> = (n: NumberValue, accept, ctx) => {
  if (Number.isFinite(n.value)) return;
  ctx.poisoned.add(n);
  accept("AL2008", n, `\`${n.raw}\` is too large for a number`);
};

// 2^53 + 1 reads as 2^53: an integer past Number.MAX_SAFE_INTEGER is silently a different number
const checkSafeInteger: Check<"Number"> = (n: NumberValue, accept, ctx) => {
  if (!Number.isFinite(n.value) || !Number.isInteger(n.value) || Number.isSafeInteger(n.value) || /[.eE]/.test(n.raw)) return;
  ctx.poisoned.add(n);
  accept("AL2008", n, `\`${n.raw}\` is past ${Number.MAX_SAFE_INTEGER} (2^53 − 1), the largest integer a number holds exactly: it would read as ${n.value}`);
};

const checkSweep: Check<"Sweep"> = (s: SweepValue, accept, ctx) => {
  const assignment = ctx.parent(1) as { type?: string } | undefined;
  const body = ctx.parent(2) as { type?: string } | undefined;
  const owner = ctx.parent(3) as { type?: string } | undefined;
  const placed = assignment?.type === "Assignment" && body?.type === "Block" && (owner?.type === "Declaration" || owner?.type === "RecipeHeader");
  if (!placed) {
    ctx.poisoned.add(s);
    accept("AL2033", s, "a sweep is the whole value of a property (`kl_coef = sweep [0.01, 0.02]`), not part of a list, call, clause or another sweep");
    return;
  }
  if (s.values.items.length === 0) accept("AL2033", s, "an empty sweep expands to no plan: give at least one value");
};

// ---------------------------------------------------------------- expect and budget

const checkConditions: Check<"Conditions"> = (block, accept, ctx) => {
  if (block.scope && block.scope.name !== FULL_SIZE)
    accept("AL2038", block.scope, `unknown expect scope \`${block.scope.name}\`: write \`expect { … }\` for gates every run meets, \`expect ${FULL_SIZE} { … }\` for gates of full-size runs only (skipped by --tiny)`, didYouMean(block.scope.name, [FULL_SIZE]));
  for (const c of block.items) (block.keyword === "expect" ? checkExpect : checkBudget)(c, accept, ctx);
};

function checkExpect(c: Comparison, accept: Accept, ctx: CheckContext): void {
  let metrics = 0;
  for (const side of [c.left, c.right, ...(c.leftTerms ?? []).map((t) => t.value), ...(c.rightTerms ?? []).map((t) => t.value)]) {
    if (side.type === "Number") continue;
    if (side.type !== "Ref") {
      accept("AL2021", side, `expect compares metrics (\`rm.accuracy\`) and numbers; got ${side.type.toLowerCase()}`);
      continue;
    }
    metrics++;
    checkMetric(side, accept, ctx);
  }
  if (metrics === 0 && c.left.type === "Number" && c.right.type === "Number") accept("AL2021", c, "this comparison has no metric: write `<stage|eval>.<metric> >= number`");
}

function checkMetric(r: RefValue, accept: Accept, ctx: CheckContext): void {
  const [block, metric, ...rest] = r.path;
  if (!block) return;
  const target = ctx.symbols.get(block.name);
  if (!target) {
    accept("AL2009", block, `no block named \`${block.name}\``, didYouMean(block.name, [...ctx.symbols].filter(([, d]) => d.keyword.name === "stage" || d.keyword.name === "eval").map(([n]) => n)));
    return;
  }
  const provided = target.keyword.name === "stage" || target.keyword.name === "eval" ? (own(METRICS, target.kind.name) ?? []) : [];
  if (target.keyword.name !== "stage" && target.keyword.name !== "eval") {
    accept("AL2020", block, `\`${block.name}\` is ${describeBlock(target)}; expect compares metrics of stages and evals`);
    return;
  }
  if (!metric) {
    accept("AL2020", r, `write \`${block.name}.<metric>\`; ${target.kind.name} provides ${provided.join(", ")}`);
    return;
  }
  if (rest.length > 0) {
    accept("AL2015", rest[0]!, "a metric is `block.metric`, with no further parts");
    return;
  }
  if (!provided.includes(metric.name))
    accept("AL2020", metric, `\`${block.name}\` (${target.kind.name}) has no metric \`${metric.name}\`; it provides ${provided.join(", ")}`, didYouMean(metric.name, provided));
}

function checkBudget(c: Comparison, accept: Accept): void {
  const term = c.leftTerms?.[0] ?? c.rightTerms?.[0];
  if (term) {
    accept("AL2038", term.value, "a budget line is `NAME <= LIMIT`: `+`/`-` terms belong in expect lines");
    return;
  }
  const left = c.left;
  if (left.type !== "Ref" || left.path.length !== 1) {
    accept("AL2022", left, `a budget line is \`NAME <= LIMIT\` with NAME one of ${orList(Object.keys(BUDGETS))}`);
    return;
  }
  const name = left.path[0]!.name;
  const unit = own(BUDGETS, name);
  if (unit === undefined) {
    accept("AL2022", left, `unknown budget \`${name}\`; budgets are ${orList(Object.keys(BUDGETS))}`, didYouMean(name, Object.keys(BUDGETS)));
    return;
  }
  if (c.op !== "<=" && c.op !== "<") accept("AL2023", c, `a budget is an upper bound: write \`${name} <= …\`, not \`${c.op}\``);
  const right = c.right;
  if (right.type === "Quantity") {
    const q = normaliseQuantity(right.value, right.unit);
    if (q && q.unit !== unit) accept("AL2023", right, `\`${name}\` is ${UNIT_KIND[unit]}; \`${right.raw}\` is ${UNIT_KIND[q.unit]}`);
    return;
  }
  if (right.type === "Number" && unit === "") return;
  accept("AL2023", right, `\`${name}\` expects ${UNIT_KIND[unit]}`);
}

// ---------------------------------------------------------------- the table and the walk

export const CHECKS: CheckTable = {
  File: [checkDuplicateNames, checkCycles],
  RecipeHeader: [checkHeaderProperties],
  Declaration: [checkKeywordAndKind, checkRole, checkArgs, checkProperties, checkSchema, checkMixture, checkHeldoutTasks, checkHeldoutTasksSplit, checkModelShape, checkRankingK, checkTrainingLength],
  Component: [checkComponent],
  Ref: [checkRef],
  Call: [checkCall],
  Range: [checkRangeOrder],
  Quantity: [checkUnit],
  Number: [checkFinite, checkSafeInteger],
  Sweep: [checkSweep],
  Conditions: [checkConditions],
};

/** The child nodes a check may care about, by node type (identifiers and spans are leaves of their parents). */
function children(node: { type: string } & Record<string, unknown>): readonly unknown[] {
  switch (node.type) {
    case "File":
    case "Conditions":
    case "List":
      return node["items"] as unknown[];
    case "RecipeHeader":
      return [node["body"]];
    case "Declaration":
      return [...((node["args"] as unknown[] | null) ?? []), node["body"]];
    case "Block":
      return node["entries"] as unknown[];
    case "Assignment":
      return [node["value"]];
    case "Component":
      return node["clauses"] as unknown[];
    case "Clause":
      return [node["arg"]];
    case "Comparison":
      return [node["left"], ...(((node["leftTerms"] as { value: unknown }[] | undefined) ?? []).map((t) => t.value)), node["right"], ...(((node["rightTerms"] as { value: unknown }[] | undefined) ?? []).map((t) => t.value))];
    case "Call":
      return node["args"] as unknown[];
    case "Sweep":
      return [node["values"]];
    case "Range":
      return [node["lo"], node["hi"]];
    default:
      return []; // Number, String, Bool, Quantity, Ref, Ident
  }
}

/** Visit every AST node (depth-first, source order) and run the checks registered for its type. */
export function runChecks(ctx: CheckContext): void {
  const table = CHECKS as Record<string, Check<string>[] | undefined>;
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    const n = node as { type: string } & Record<string, unknown>;
    const checks = table[n.type];
    if (checks) for (const check of checks) check(n as never, ctx.accept, ctx);
    const kids = children(n);
    if (kids.length === 0) return;
    ctx.enter(n);
    for (const k of kids) visit(k);
    ctx.leave();
  };
  visit(ctx.ast);
}
