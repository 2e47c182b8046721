// Expand nodes (`task X = flan { … }`) → examples: the task's rows (its `X/data` read node or a
// source node), derived fields, templates, then FLAN rendering. Values from the node's parameters,
// seeds from seed keys (plan-input.ts).
import { basename } from "node:path";
import type { IRValue } from "../check/ir.js";
import { refOf } from "../plan/params.js";
import type { Json } from "../plan/types.js";
import { FLAN_VERSIONS } from "../check/calls.js";
import { BadRows, mergeSkipped } from "./bad-rows.js";
import { CODES, fail } from "./diag.js";
import { deriveFields } from "./fields.js";
import { loadFlanTemplates, loadPromptsource, loadTemplateDir } from "./flan/loaders.js";
import { renderFlan, renderHeldoutTask, type FlanTaskSpec } from "./flan/render.js";
import type { TaskTemplate } from "./flan/template.js";
import { atRecipe, type RecipeSite } from "./at-recipe.js";
import { fileSiteOf, keyOf, nodeOf, pathOf, siteOf, valueKey, type DataNode, type DataPlan } from "./plan-input.js";
import { numP, onErrorOf, rangeP, readNodeRows, strListP, strP } from "./build-source.js";
import type { RawData } from "./build-types.js";
import type { PromptResponse, SkippedRows } from "./types.js";

const TEMPLATE_READERS = ["dir", "flan_templates", "promptsource"];

/** Templates of a task node's `templates` parameter. */
export function loadTemplates(dp: DataPlan, node: DataNode): { templates: TaskTemplate[]; options: string[] | null; targetField?: string } {
  const v = node.params.templates;
  const call = v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$call === "string" ? (v as { $call: string; args: Json[] }) : null;
  if (!call) fail(CODES.unsupported, `task \`${node.id}\`: templates must be dir("…"), flan_templates("…") or promptsource("…")`, dp.recipe.file, siteOf(dp, node, "templates").span);
  if (!TEMPLATE_READERS.includes(call.$call)) fail(CODES.unsupported, `task \`${node.id}\`: unknown template reader ${call.$call}`, dp.recipe.file, siteOf(dp, node, "templates").span);
  const file = pathOf(dp, call.args[0], `task \`${node.id}\`.templates`);
  // a folder or file that holds no templates, or none that asks for the task's target, is reported at
  // `templates = …` (at-recipe.ts; the second was unlocated, its list of roles empty, for `templates: {}`)
  return atRecipe(siteOf(dp, node, "templates"), file, dp.dir, () => {
    const read = readTemplates(call, file, node);
    if (!read.templates.some((t) => t.role === "direct")) {
      const roles = read.templates.map((t) => `${t.id}: ${t.role}, ${t.roleReason}`).join("; ");
      fail(CODES.templateSyntax, `task \`${node.id}\`: ${roles ? `no template asks for the task's target (${roles})` : "the file holds no template"}`, file);
    }
    return read;
  });
}

/** The lowered version (the checker allows FLAN_VERSIONS only; the lowering writes v1 when left out). */
function flanVersion(v: Json | undefined, node: DataNode): "v1" | "v2" {
  if (v === "v1" || v === "v2") return v;
  throw new Error(`task \`${node.id}\`: flan_templates version ${JSON.stringify(v)} is none of ${FLAN_VERSIONS.join(", ")}`); // refused by the checker (AL2018)
}

function readTemplates(call: { $call: string; args: Json[] }, file: string, node: DataNode): { templates: TaskTemplate[]; options: string[] | null; targetField?: string } {
  switch (call.$call) {
    case "dir":
      return { templates: loadTemplateDir(file), options: null };
    case "flan_templates":
      // the lowering writes out the FLAN task name (the block's name when the recipe leaves it out) and the version
      return loadFlanTemplates(file, strP(call.args[1]) ?? node.id, flanVersion(call.args[2], node), strP(node.params.target_field));
    case "promptsource":
      // each template's options are its own answer_choices (render.ts), never the task's
      return { templates: loadPromptsource(file), options: null };
    default:
      throw new Error(`task \`${node.id}\`: unknown template reader ${call.$call}`); // refused above
  }
}

/** A task node's `shots`, as the checker filled it (kinds.ts default 0..0): a node without it is refused, not given one. */
function shotsOf(node: DataNode): [number, number] {
  const shots = rangeP(node.params.shots);
  if (shots === null) throw new Error(`plan node \`${node.id}\` lacks its resolved \`shots\`: plan the recipe again`);
  return shots;
}

/** Everything FLAN rendering needs of a task node, and where the recipe names its rows' file. */
async function taskSpec(dp: DataPlan, node: DataNode, limit?: number): Promise<FlanTaskSpec & { rowsSite: RecipeSite }> {
  const p = node.params;
  const onError = onErrorOf(node);
  const dataId = refOf(p.data);
  if (dataId === null) fail(CODES.unsupported, `task \`${node.id}\`: expected a reader call (jsonl("…")) or a source`, dp.recipe.file, siteOf(dp, node, "data").span);
  const dataNode = nodeOf(dp, dataId);
  // the task's own file read takes the task's bad-row policy and is named after it; a source keeps its own
  const own = dataNode.block === node.id;
  const taskLimit = numP(p.limit);
  const read = await readNodeRows(dp, dataNode, { limit: limit ?? taskLimit, ...(own ? { onError, source: node.id } : {}) });
  const fields = p.fields;
  const bad = new BadRows(node.id, read.file, onError);
  const fieldsSite = siteOf(dp, node, "fields");
  const rows = fields && typeof fields === "object" && !Array.isArray(fields) ? deriveFields(read, fields as Record<string, IRValue>, { file: fieldsSite.file, ...(fieldsSite.span ? { span: fieldsSite.span } : {}) }, bad) : read;
  // a mapping that fails on every row leaves none: the rows' own errors say why (it was AL3005 "the file
  // has no rows" about a file of 277; hunt37), and under on_error = "skip" that every one was left out
  if (rows.rows.length === 0 && read.rows.length > 0) {
    const skipped = bad.finish(); // on_error = "fail": throws every bad row
    fail(CODES.emptyData, `task \`${node.id}\`: \`fields\` left out every one of the ${read.rows.length} rows of ${basename(read.file)} (on_error = "skip"; ${skipped?.reasons[0] ?? "no reason recorded"})`, fieldsSite.file, fieldsSite.span, "fix the mapping: it fails on every row, so the rows are not at fault");
  }
  const { templates, options: fileOptions } = loadTemplates(dp, node);
  const options = strListP(p.options) ?? strP(p.options) ?? fileOptions;
  const holdoutTemplatesAt = siteOf(dp, node, "holdout_templates");
  return {
    rowsSite: fileSiteOf(dp, dataNode),
    name: node.id,
    key: keyOf(dp, node.id),
    // the row split depends on the data alone, so ablating templates, shots or inversion keeps the
    // same rows held out (and two tasks over one file hold out the same rows)
    rowsKey: valueKey(dp, { data: p.data ?? null, fields: p.fields ?? null, limit: p.limit ?? null, holdout: p.holdout ?? null }),
    file: rows.file,
    rows: rows.rows,
    bad,
    ...(read.skipped ? { readSkipped: read.skipped } : {}),
    templates,
    options,
    shots: shotsOf(node), // kinds.ts fills `shots` (0..0); a plain number is a fixed count
    invert: p.invert as number,
    holdoutTemplates: p.holdout_templates as number,
    holdoutTemplatesAt,
    shotsAt: siteOf(dp, node, "shots"),
    ...(numP(p.train_templates) !== undefined ? { trainTemplates: numP(p.train_templates)! } : {}),
    holdout: p.holdout as number,
    // resolved by the lowering: FLAN patterns show their options always unless the recipe writes a share
    withOptions: p.with_options as number,
    seed: dp.seed,
  };
}

/** A task node's examples: rendered train, held-out rows and held-out templates. */
export async function buildTask(dp: DataPlan, node: DataNode, limit?: number): Promise<RawData> {
  const spec = await taskSpec(dp, node, limit);
  // a file without rows is reported where the recipe names it (at-recipe.ts)
  const out = atRecipe(spec.rowsSite, spec.file, dp.dir, () => renderFlan(spec));
  const held = new Set(out.evalTemplates);
  const templates = spec.templates.map((t) => ({ task: node.id, id: t.id, role: t.role, reason: t.roleReason, heldout: held.has(t.id) }));
  const skipped = mergeSkipped([spec.readSkipped, spec.bad?.finish()].filter((x): x is SkippedRows => x !== undefined));
  return { kind: "sft", name: node.id, train: out.train, heldout: out.heldout, heldoutTemplates: out.heldoutTemplates, heldoutTasks: [], notes: { templates, ...(skipped.length ? { skipped } : {}) } };
}

/** A held-out task's examples: every row, zero-shot, over all its templates. */
export async function heldoutTaskExamples(dp: DataPlan, node: DataNode, limit?: number): Promise<PromptResponse[]> {
  const spec = await taskSpec(dp, node, limit);
  const out = atRecipe(spec.rowsSite, spec.file, dp.dir, () => renderHeldoutTask(spec));
  spec.bad?.finish(); // fail: report the bad rows (skip: they are left out of the evaluation)
  return out;
}
