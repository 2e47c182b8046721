// Mix nodes (`mixture X = mix { components = { … } }`) → one training set over their components,
// with held-out tasks kept out of training. Values from the node's parameters; components ordered
// by seed key (plan-input.ts), never by name, so renaming a component changes no example.
import { stopPoint } from "../common/stop-point.js";
import type { Json } from "../plan/types.js";
import { refOf } from "../plan/params.js";
import { CODES, fail } from "./diag.js";
import { mix, type MixComponent } from "./mix.js";
import { keyOf, nodeOf, siteOf, type DataNode, type DataPlan } from "./plan-input.js";
import { heldoutTaskExamples } from "./build-task.js";
import { cached, numP, strP } from "./build-source.js";
import { mergeNotes, type BuildOptions, type RawData } from "./build-types.js";
import type { DataNotes, MixtureDrops, PromptResponse } from "./types.js";
import { pushAll } from "../common/arrays.js";
import { byCodeUnits } from "../common/code-order.js";

type BuildNode = (dp: DataPlan, id: string, opts: BuildOptions) => Promise<RawData>;

interface Component {
  id: string;
  clauses: { [k: string]: Json };
}

/** The components a mix node lists: `{ input: { $ref }, proportional?, cap?, weight? }` each. */
export function componentsOf(dp: DataPlan, node: DataNode): Component[] {
  const list = Array.isArray(node.params.components) ? node.params.components : [];
  return list.map((c) => {
    const o = (c ?? {}) as { [k: string]: Json };
    const id = refOf(o.input);
    if (id === null) fail(CODES.mixture, `mixture \`${node.id}\`: a component is not a reference`, dp.recipe.file, siteOf(dp, node, "components").span);
    const { input: _input, ...clauses } = o;
    return { id, clauses };
  });
}

/** Ids listed by `heldout_tasks` (references; plain names in fixtures built by hand). */
export function heldoutTaskIds(v: Json | undefined): string[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((x) => (typeof x === "string" ? [x] : refOf(x) !== null ? [refOf(x)!] : []));
}

/** A component held out as a task: all of it, zero-shot (a task over all its templates; every row of a demonstrations source). */
function heldoutComponent(dp: DataPlan, node: DataNode, opts: BuildOptions, build: BuildNode): Promise<PromptResponse[]> {
  return cached(dp, `heldout-task:${keyOf(dp, node.id)}:${opts.limit ?? ""}`, async () => {
    if (node.op === "expand") return heldoutTaskExamples(dp, node, opts.limit);
    const built = await build(dp, node.id, { limit: opts.limit });
    if (built.kind !== "sft") fail(CODES.mixture, `\`${node.id}\` gives ${built.kind}, not prompt/response examples; it cannot be a held-out task`, siteOf(dp, node).file, siteOf(dp, node).span);
    return [...built.train, ...built.heldout].map((e) => ({ ...e, meta: { ...e.meta, heldout: true } }));
  });
}

export async function buildMix(dp: DataPlan, node: DataNode, opts: BuildOptions, build: BuildNode): Promise<RawData> {
  const p = node.params;
  const where = siteOf(dp, node);
  // components in seed-key order: dedup keeps the first occurrence and the mix's shuffle starts from
  // this order, so ordering by name would make a rename change the examples
  const comps = componentsOf(dp, node).sort((a, b) => byCodeUnits(keyOf(dp, a.id), keyOf(dp, b.id)) || byCodeUnits(a.id, b.id));
  const ids = comps.map((c) => c.id);
  const listed = [...ids].sort().join(", ");
  if (ids.length === 0) fail(CODES.mixture, `mixture \`${node.id}\` has no components`, where.file, where.span);
  // two components that are the same data hash alike (the plan hashes what a component is, never its
  // name), so which of them carries which clauses, or is held out, would be decided by their names
  // unseen by the hash: two recipes swapping them got one hash and two training sets (audit33 H1)
  const twin = comps.find((c, i) => i > 0 && keyOf(dp, c.id) === keyOf(dp, comps[i - 1]!.id));
  if (twin) {
    const other = comps[comps.indexOf(twin) - 1]!.id;
    fail(CODES.mixture, `mixture \`${node.id}\`: components \`${other}\` and \`${twin.id}\` are the same data; give it once, with the clauses you mean (weight, cap), or make the two differ`, where.file, where.span);
  }
  const heldTasks = new Set([...heldoutTaskIds(p.heldout_tasks), ...(opts.heldoutTasks ?? [])]);
  const heldAt = siteOf(dp, node, "heldout_tasks");
  for (const id of heldTasks) if (!ids.includes(id)) fail(CODES.mixture, `mixture \`${node.id}\`: held-out task \`${id}\` is not one of its components (${listed})`, heldAt.file, heldAt.span);
  if (ids.every((n) => heldTasks.has(n))) fail(CODES.mixture, `mixture \`${node.id}\` holds out every component: nothing is left to train on`, heldAt.file, heldAt.span);
  const parts: MixComponent[] = [];
  const heldout: PromptResponse[] = [];
  const heldoutTemplates: PromptResponse[] = [];
  const heldoutTasks: PromptResponse[] = [];
  const notes: (DataNotes | undefined)[] = [];
  for (const c of comps) {
    await stopPoint(); // between sources: a Ctrl-C while `alignc run` prepares data
    const cnode = nodeOf(dp, c.id);
    if (heldTasks.has(c.id)) {
      // a held-out task: none of it is trained on (nor takes part in dedup); all of it is zero-shot evaluation
      pushAll(heldoutTasks, await heldoutComponent(dp, cnode, opts, build));
      continue;
    }
    // opts.heldoutTasks names this mixture's components, not a nested one's
    const built = await build(dp, c.id, { ...opts, heldoutTasks: undefined });
    if (built.kind !== "sft") fail(CODES.mixture, `mixture \`${node.id}\`: component \`${c.id}\` gives ${built.kind}, not prompt/response examples`, where.file, where.span);
    pushAll(heldout, built.heldout);
    notes.push(built.notes);
    pushAll(heldoutTemplates, built.heldoutTemplates);
    pushAll(heldoutTasks, built.heldoutTasks); // a nested mixture's own held-out tasks
    parts.push({
      name: c.id,
      key: keyOf(dp, c.id),
      examples: built.train,
      proportional: c.clauses.proportional === true,
      ...(typeof c.clauses.cap === "number" ? { cap: c.clauses.cap } : {}),
      ...(typeof c.clauses.weight === "number" ? { weight: c.clauses.weight } : {}),
    });
  }
  const dedup = strP(p.dedup);
  // the kinds table fills it ("exact"); a plan without it was not made by this alignc
  if (dedup !== "none" && dedup !== "exact" && dedup !== "normalized") fail(CODES.unsupported, `plan node \`${node.id}\` lacks its resolved \`dedup\`: plan the recipe again`, where.file, where.span);
  const r = mix(parts, {
    seed: dp.seed,
    total: numP(p.total),
    dedup,
    minLength: numP(p.min_response_chars),
    maxLength: numP(p.max_response_chars),
    perCategory: numP(p.per_category),
    where: { file: where.file, span: where.span },
  });
  const d = r.dropped;
  const drops: MixtureDrops | null = d.duplicates + d.length + d.quota > 0 ? { mixture: node.block ?? node.id, dedup, ...d } : null;
  const merged = mergeNotes(...notes, drops ? { mixed: [drops] } : undefined);
  return { kind: "sft", name: node.id, train: r.examples, heldout, heldoutTemplates, heldoutTasks, mixCounts: r.counts, ...(merged ? { notes: merged } : {}) };
}

