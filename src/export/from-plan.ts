// A checked recipe → its plan (one variant) → ExportInput: the plan's training stages in plan order,
// each with its node's resolved hyperparameters and the very examples alignc's own run builds for it
// from the same plan nodes (src/run/nodes/stage-data.ts: the stage's inlined chat format, its data
// parameters through their format/tokenize chains). The recipe is read for two things only: which
// variant to plan, and where a diagnostic points (siteOf).
import { basename } from "node:path";
import { GPT2_FAMILY, knownPositions } from "./model-positions.js";
import type { CheckedRecipe } from "../check/ir.js";
import { buildParam, chatFormatOf, dataPlanFromPlan, examplesOf, gpt2, promptsOf } from "../data/index.js";
import { siteOf, type DataPlan } from "../data/plan-input.js";
import { tokenizerOf } from "../data/recipe-tokenizer.js";
import { truncatePolicy } from "../data/truncation.js";
import { KINDS } from "../check/kinds.js";
import type { ChatFormat, ComparisonGroup } from "../data/types.js";
import { DiagnosticError, type Diagnostic } from "../lang/diagnostic.js";
import { planRecipe } from "../plan/compile.js";
import { paramsOf, refNode, refOf, rootModelNode, stageParams, stepsOrEpochs, type StagePpoParams, type TrainingParams } from "../plan/params.js";
import type { Json, Plan, PlanNode } from "../plan/types.js";
import { expandVariants, findVariant } from "../plan/variants.js";
import { PLAN_CODES } from "../plan/codes.js";
import { EXPORT_CODES } from "./compile.js";
import { EXPORTED_KINDS, type ExportInput, type ExportStage, type RenderedGroup, type StageData, type StageHP, type StageKind } from "./types.js";

export interface Gathered {
  input: ExportInput | null;
  diagnostics: Diagnostic[];
  tokens?: { count: (s: string) => number; name: string };
}

/**
 * The recipe block a stage's data parameter names (for file names): followed through its
 * format/tokenize chain to the data node; null for a split (heldout(x), train(x)) or a file the
 * stage reads itself (a derived node), where the stage's own name is used.
 */
function dataNameOf(dp: DataPlan, v: Json | undefined): string | null {
  const id = refOf(v);
  if (id === null) return null;
  const n = dp.nodes.get(id);
  if (n && (n.op === "format" || n.op === "tokenize")) return n.params.split === "heldout" || n.params.split === "train" ? null : dataNameOf(dp, n.params.examples);
  return n && n.block === n.id ? id : null;
}

/**
 * A stage's hyperparameters: its plan node's parameters as they are (every default filled by the
 * checker; the recipe's names, so no mapping), with steps/epochs resolved as the run resolves them,
 * `truncate` resolved as the run resolves it (truncatePolicy: no default is filled in, on purpose,
 * src/check/data-options.ts), and the dropout of the model the stage's init chain starts from (a
 * model parameter the run trains the stage with).
 */
function hpOf(plan: Plan, node: PlanNode): StageHP {
  const p = stageParams(node) as TrainingParams & Partial<StagePpoParams> & { truncate?: unknown };
  const dropout = paramsOf(rootModelNode(plan, node), "model.gpt").dropout;
  const truncates = "truncate" in (KINDS.stage![node.op]?.props ?? {});
  return { ...p, ...stepsOrEpochs(p), kl_budget: p.kl_budget ?? null, dropout, ...(truncates ? { truncate: truncatePolicy(p.truncate) } : {}) } as StageHP;
}

function render(groups: ComparisonGroup[], fmt: ChatFormat): RenderedGroup[] {
  return groups.map((g) => ({
    group: g,
    prompt: fmt.promptOnly(g.prompt, g.system ?? ""),
    completions: g.responses.map((r) => {
      const f = fmt.format(g.prompt, r, g.system ?? "");
      return f.text.slice(f.responseSpan[0]);
    }),
  }));
}

async function stageData(dp: DataPlan, node: PlanNode, fmt: ChatFormat): Promise<{ data: StageData; dataName: string; ptx: ExportStage["ptx"] }> {
  const p = node.params;
  const dataName = dataNameOf(dp, p.data) ?? dataNameOf(dp, p.prompts) ?? node.id;
  switch (node.op as StageKind) {
    case "pretrain":
    case "sft": {
      const built = await examplesOf(dp, node.id, { prop: "data", format: fmt });
      if (built.kind === "text") return { data: { kind: "text", train: built.train.lines, test: built.heldout.lines }, dataName, ptx: null };
      if (built.kind === "sft") return { data: { kind: "sft", train: built.train, test: built.heldout }, dataName, ptx: null };
      throw new Error(`${node.id}: comparisons cannot train a language model`);
    }
    case "reward_model":
    case "dpo": {
      const built = await buildParam(dp, node, p.data, {}, `stage \`${node.id}\`.data`);
      if (built.kind !== "comparisons") throw new Error(`${node.id}.data: expected rankings or pairs, got ${built.kind} data`);
      return { data: { kind: "comparisons", train: render(built.train, fmt), test: render(built.heldout, fmt) }, dataName, ptx: null };
    }
    case "ppo": {
      const hp = stageParams(node) as StagePpoParams;
      const ps = await promptsOf(dp, node, "prompts");
      const data: StageData = { kind: "prompts", train: ps.train.map((x) => fmt.promptOnly(x.prompt, x.system ?? "")), test: [] };
      let ptx: ExportStage["ptx"] = null;
      if (p.ptx_data !== undefined && p.ptx_data !== null && hp.ptx_coef > 0) {
        const built = await examplesOf(dp, node.id, { prop: "ptx_data", format: fmt });
        const name = `${node.id}-ptx`;
        if (built.kind === "text") ptx = { name, data: { kind: "text", train: built.train.lines, test: [] } };
        else if (built.kind === "sft") ptx = { name, data: { kind: "sft", train: built.train, test: [] } };
      }
      return { data, dataName: dataNameOf(dp, p.prompts) ?? "prompts", ptx }; // the exported file's name when the prompts are no named source (not a parameter)
    }
  }
}

/** Everything an export needs from a checked recipe (one variant of a swept recipe): its plan, gathered. */
export async function gatherExport(recipe: CheckedRecipe, opts: { variant?: string; until?: string } = {}): Promise<Gathered> {
  const diagnostics: Diagnostic[] = [];
  let r = recipe;
  let label: string | undefined;
  const variants = expandVariants(recipe);
  if (variants.length) {
    const v = opts.variant !== undefined ? findVariant(variants, opts.variant) : undefined;
    if (opts.variant !== undefined && !v) {
      // as `plan` and `run` say (it was AL4609, "a property the export needs is a sweep")
      diagnostics.push({ code: "AL4011", severity: "error", message: `${PLAN_CODES.AL4011}: ${opts.variant} (variants: ${variants.map((x) => x.label).join(", ")})`, file: recipe.file, span: null });
      return { input: null, diagnostics };
    }
    if (!v) {
      diagnostics.push({ code: "AL4609", severity: "error", message: `${EXPORT_CODES.AL4609}; this recipe has ${variants.length}: ${variants.map((x) => x.label).join(", ")}`, file: recipe.file, span: null, hint: `pass --variant ${variants[0]!.label}` });
      return { input: null, diagnostics };
    }
    r = v.recipe;
    label = v.label;
  } else if (opts.variant !== undefined) {
    // as `plan` and `run` say: a variant named for a recipe without one is a mistake, not a no-op
    diagnostics.push({ code: "AL4011", severity: "error", message: `${PLAN_CODES.AL4011}: ${opts.variant} (${recipe.name} has no sweep, so no variants)`, file: recipe.file, span: null });
    return { input: null, diagnostics };
  }
  const shape = planRecipe(r, { structureOnly: true });
  if (!shape.plan) return { input: null, diagnostics: shape.diagnostics.filter((d) => d.severity === "error") };
  // the plan's data checks, as `alignc plan` makes them (a stage with no training row, AL4020; examples
  // past the context without max_length, AL4005): without the data's sizes they saw nothing, and an
  // export wrote an empty train.jsonl with exit 0. No machine: this machine's memory is not the cluster's.
  const [{ measureData, measureTruncation }, { registerCachedDraws }] = await Promise.all([import("../compile.js"), import("../run/storage/cached-draws.js")]);
  // ranked samples export the draw a run has cached, as `alignc data` shows it (AL3061's hint, to run the
  // draw first, could never help an export: it read no cache). One data plan, shape.plan's, is measured and
  // gathered from: its examples are built once (the sized plan has the same nodes, only estimates added)
  registerCachedDraws(r, undefined, dataPlanFromPlan(shape.plan, r));
  const measured = await measureData(r, shape.plan);
  const cuts = await measureTruncation(r, shape.plan, null);
  const planned = planRecipe(r, { sizes: () => measured.sizes, truncation: () => cuts.counts });
  diagnostics.push(...[...measured.diagnostics, ...cuts.diagnostics, ...planned.diagnostics].filter((d) => d.severity === "error"));
  if (!planned.plan || diagnostics.length) return { input: null, diagnostics };
  const g = await gatherFromPlan(shape.plan, r, opts, diagnostics);
  if (g.input && label !== undefined) g.input.variant = label;
  return g;
}

/** The export of a plan (`recipe`: the variant it was planned from, to locate diagnostics). */
export async function gatherFromPlan(plan: Plan, recipe: CheckedRecipe, opts: { until?: string } = {}, diagnostics: Diagnostic[] = []): Promise<Gathered> {
  const dp = dataPlanFromPlan(plan, recipe);
  const own = plan.nodes.filter((n) => n.block === n.id); // derived nodes (data chains) belong to their blocks
  const stages: ExportStage[] = [];
  const skipped: ExportInput["skipped"] = [];
  if (opts.until !== undefined && !own.some((n) => n.kind === "stage" && n.id === opts.until)) {
    const names = own.filter((n) => n.kind === "stage").map((n) => n.id);
    diagnostics.push({ code: "AL4610", severity: "error", message: `--until ${opts.until}: no such stage (stages: ${names.join(", ")})`, file: recipe.file, span: null });
    return { input: null, diagnostics };
  }
  let past = false; // after the --until stage: listed, not exported
  try {
    for (const node of own) {
      if (past && (node.kind === "stage" || node.kind === "eval")) {
        skipped.push({ name: node.id, kind: node.op, why: `after \`--until ${opts.until}\`` });
        continue;
      }
      if (node.kind === "eval") {
        skipped.push({ name: node.id, kind: node.op, why: "evaluations are not exported; alignc can run them on the exported checkpoints" });
        continue;
      }
      if (node.kind !== "stage") continue;
      const at = siteOf(dp, node);
      if (!(EXPORTED_KINDS as readonly string[]).includes(node.op)) {
        diagnostics.push({ code: "AL4602", severity: "error", message: `stage kind \`${node.op}\` has no export`, file: at.file, span: at.span });
        continue;
      }
      const initNode = refNode(plan, node.params.init, `stage \`${node.id}\`.init`);
      let init: ExportStage["init"];
      if (initNode.kind === "model") {
        const hf = typeof initNode.params.hf === "string" ? initNode.params.hf : ""; // no default: a model without one exists only as a tfjs definition
        const modelAt = siteOf(dp, initNode);
        const hfAt = siteOf(dp, initNode, "hf");
        if (/[\s]/.test(hf))
          diagnostics.push({ code: "AL4601", severity: "error", message: `model \`${initNode.id}\`: hf = ${JSON.stringify(hf)} holds whitespace; a Hugging Face id or folder path cannot`, file: hfAt.file, span: hfAt.span });
        if (!hf)
          diagnostics.push({
            code: "AL4601",
            severity: "error",
            message: `stage \`${node.id}\` starts from model \`${initNode.id}\`, which exists only as a tfjs definition: an export needs the Hugging Face model to start from`,
            file: modelAt.file,
            span: modelAt.span,
            hint: `add \`hf = "gpt2"\` (a Hugging Face model id, or a local folder with config.json and weights) to model \`${initNode.id}\`; a variant can do it: \`${initNode.id}.hf = "gpt2"\``,
          });
        // the recipe's model definition the Hugging Face model stands in for: said in EXPORT.md, not carried
        const m = initNode.params;
        const tokenizer = refOf(m.tokenizer);
        init = { hf, model: initNode.id, shape: `${m.layers} layers, d_model ${m.d_model}, ${m.heads} heads, context ${m.context}${tokenizer ? `, tokenizer \`${tokenizer}\`` : ""}, initialised at random` };
      } else init = { stage: initNode.id };
      const fmt = chatFormatOf(dp, node.params.format); // the stage's inlined format; null: raw
      const { data, dataName, ptx } = await stageData(dp, node, fmt);
      const stage: ExportStage = { name: node.id, kind: node.op as StageKind, span: at.span, file: at.file, init, hp: hpOf(plan, node), data, dataName, ptx };
      // each stage against its own lineage's model (a recipe may start stages from two)
      const rootHf = rootModelNode(plan, node).params.hf;
      const n = typeof rootHf === "string" ? knownPositions(rootHf) : undefined;
      if (n !== undefined) stage.positions = { hf: rootHf as string, n };
      if (node.op === "ppo") {
        // reward = "rule" is the demo data's rule (src/data/demo/rule.ts): no target can call it
        if (node.params.reward === "rule") {
          const rewardAt = siteOf(dp, node, "reward");
          diagnostics.push({
            code: "AL4611",
            severity: "error",
            message: `stage \`${node.id}\` has reward = "rule" (alignc's demo rule as the reward): no export target can compute it`,
            file: rewardAt.file,
            span: rewardAt.span,
            hint: "export a recipe whose PPO stage uses a reward_model stage (the rule reward is a control for alignc runs)",
          });
        } else stage.reward = refOf(node.params.reward)!;
      }
      stages.push(stage);
      if (node.id === opts.until) past = true;
    }
  } catch (err) {
    if (err instanceof DiagnosticError) return { input: null, diagnostics: [...diagnostics, ...err.diagnostics] };
    throw err;
  }
  if (diagnostics.some((d) => d.severity === "error")) return { input: null, diagnostics };
  const first = stages[0] ? rootModelNode(plan, plan.nodes.find((n) => n.id === stages[0]!.name)!) : null;
  // Rows are dropped by the target's own tokenizer: when the target model is a GPT-2 we count with
  // GPT-2's BPE (exact); otherwise with the model's tokenizer (the count alignc's max_length uses).
  const hf = typeof first?.params.hf === "string" ? first.params.hf : "";
  const tok = GPT2_FAMILY.test(hf) ? await gpt2() : first ? await tokenizerOf(dp, first.id) : null;
  const tokens = tok ? { count: (s: string) => tok.encode(s).length, name: GPT2_FAMILY.test(hf) ? `gpt2 (the target model's BPE)` : tok.name } : undefined;
  // the models whose positions alignc knows are GPT-2's: their stages' lengths are counted in its BPE
  const bpe = stages.some((s) => s.positions) ? await gpt2() : null;
  const positionTokens = bpe ? { count: (s: string) => bpe.encode(s).length, name: "gpt2 BPE" } : undefined;
  return { input: { recipe: recipe.name, file: basename(recipe.file), stages, skipped, ...(opts.until !== undefined ? { until: opts.until } : {}), ...(positionTokens ? { positionTokens } : {}) }, diagnostics, ...(tokens ? { tokens } : {}) };
}
