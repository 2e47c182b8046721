// Checks of a block declaration: keyword and kind, role, arguments, properties, what the schema
// found, and the rules between properties (mixtures, held-out tasks, model shape, ranking k, length).
import type { ComponentEntry, RangeValue, Value } from "../../lang/ast.js";
import { didYouMean, orList } from "../../common/did-you-mean.js";
import { CALLS } from "../calls.js";
import type { BlockInfo, CheckContext } from "../context.js";
import { CANDIDATE_PROPS, KINDS } from "../kinds.js";
import type { Located } from "../lower.js";
import { own } from "../schemas.js";
import { SAMPLES_HINT, checkPath } from "./call.js";
import { checkEntries } from "./entries.js";
import { referenceChecks, sweptValues } from "./references.js";
import { samplesChecks } from "./samples.js";
import type { Check } from "./types.js";
import { renamedHint } from "../renamed.js";
import { exponentialBacktracking } from "./pattern-backtracking.js";

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

const checkRole: Check<"Declaration"> = (d, accept, ctx) => {
  const spec = ctx.blocks.get(d)?.spec;
  if (spec && !d.role && d.keyword.name === "source" && d.kind.name === "samples") {
    accept("AL2005", d.kind, "a samples source says who ranks its samples: `as candidates` (people, with `alignc label`) or `as rankings` with a `labeler`", SAMPLES_HINT);
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
    const renamed = renamedHint(d.keyword.name, key);
    if (renamed) return renamed;
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
  // holdout_by groups the split of examples and ranked groups (src/data/build-source.ts); a text
  // source's lines, a task's records and candidate sets are split otherwise: never silently ignored
  const splitBy = d.keyword.name === "source" ? d.body.entries.find((e) => e.type === "Assignment" && e.path.length === 1 && e.path[0]!.name === "holdout_by") : undefined;
  if (splitBy?.type === "Assignment" && !["demonstrations", "prompts", "rankings", "pairs"].includes(d.role?.name ?? "records"))
    accept("AL2004", splitBy.path[0]!, `\`holdout_by\` groups the held-out split of a demonstrations, prompts, rankings or pairs source, not of a ${d.role?.name ?? "records"} source`, "a task splits its own rows (`holdout` on the task); a text source's lines are split one by one");
  // categories filters demonstrations (src/data/demos.ts); on rankings, pairs or text it was ignored
  // by the build and applied by the plan's count, which then refused a stage with data (review 32)
  const categories = d.keyword.name === "source" ? d.body.entries.find((e) => e.type === "Assignment" && e.path.length === 1 && e.path[0]!.name === "categories") : undefined;
  if (categories?.type === "Assignment" && d.role && !["demonstrations", "prompts", "records"].includes(d.role.name))
    accept("AL2004", categories.path[0]!, `\`categories\` keeps the demonstrations of some categories (Dolly's \`category\` field), not the rows of a ${d.role.name} source`);
};

/** A prompts source reads each row's prompt alone: a response template there would be ignored, silently. */
const checkPromptsResponse: Check<"Declaration"> = (d, accept) => {
  if (d.keyword.name !== "source" || d.role?.name !== "prompts") return;
  for (const e of d.body?.entries ?? [])
    if (e.type === "Assignment" && e.path.length === 1 && e.path[0]!.name === "response")
      accept("AL2004", e.path[0]!, "a prompts source (`as prompts`) reads each row's prompt alone: `response` is a property of demonstrations sources", "declare the source `as demonstrations` to read its responses too");
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
  return sweptValues(info.props[key]);
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
  // steps wins when both are given (src/plan/params.ts): an `epochs` the run ignores would read as
  // the stage's length, and change its hash for nothing
  const epochs = info.written.get("epochs");
  if (epochs && info.written.has("steps"))
    accept("AL2041", epochs, `stage \`${d.name.name}\` gives both \`steps\` and \`epochs\`: it trains \`steps\`, and \`epochs\` would be ignored`, "keep one: `steps = N` (fixed optimizer steps) or `epochs = N` (passes over the data)");
  if (spec.required?.includes("steps")) return; // the schema already asks for steps
  if (!info.written.has("steps") && !info.written.has("epochs"))
    accept("AL2034", d.name, `stage \`${d.name.name}\` (${d.kind.name}) has no length: set \`steps = N\` or \`epochs = N\` (fixed counts make runs reproduce)`);
};

/** A text source's `pattern`: the regular expression the reader runs on every line (matchLines, src/data/line-pattern.ts),
 * compiled here so a typo is a located error before any file is read. */
const checkLinePattern: Check<"Declaration"> = (d, accept, ctx) => {
  const written = ctx.blocks.get(d)?.written.get("pattern");
  const v = written ? (valueSpanOf(written) as Value) : null;
  if (d.keyword.name !== "source" || !v || v.type !== "String") return;
  let re: RegExp;
  try {
    re = new RegExp(v.value, "u");
  } catch (err) {
    accept("AL2042", v, `\`pattern\` is not a regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, "")}`, "JavaScript syntax, Unicode mode: escape a literal `(` or `.` with a backslash (written `\\\\(` in a recipe string)");
    return;
  }
  if (!/\(\?<[A-Za-z_$]/.test(re.source))
    accept("AL2042", v, "`pattern` names no group, so its lines would have no fields", 'name each field a group: `"^(?<label>[01]) (?<sentence>.*)$"`');
  const attack = exponentialBacktracking(v.value, "u");
  if (attack)
    accept(
      "AL2042",
      v,
      `\`pattern\` can backtrack exponentially: a line such as ${attack} would take longer to match than any run takes (a quantifier inside a quantifier that can match the same text two ways)`,
      "make each repetition match text one way only: the expression ^(?<w>\\w+(?: \\w+)*)$ where ^(?<w>(\\w+\\s?)*)$ backtracks (in a recipe string each \\ is written \\\\)",
    );
};

export const declarationChecks: Check<"Declaration">[] = [checkKeywordAndKind, checkRole, checkArgs, checkProperties, checkSchema, checkMixture, checkHeldoutTasks, checkHeldoutTasksSplit, checkModelShape, checkRankingK, checkTrainingLength, checkLinePattern, checkPromptsResponse, ...samplesChecks, ...referenceChecks];
