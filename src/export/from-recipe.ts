// A checked recipe → ExportInput: the plan's training stages in plan order, each with its resolved
// hyperparameters and the very examples alignc's own run builds for it (src/run/nodes/stages.ts
// builds them the same way: the stage's chat format, the model context as the length cap).
import { basename } from "node:path";
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import { buildExamples, buildPrompts, buildValue, gpt2, loadFormat, recipeTokenizer, RAW_FORMAT } from "../data/index.js";
import type { ChatFormat, ComparisonGroup } from "../data/types.js";
import { DiagnosticError, type Diagnostic } from "../lang/diagnostic.js";
import { planRecipe } from "../plan/compile.js";
import { stageParams, stepsOrEpochs, type StagePpoParams, type TrainingParams } from "../plan/params.js";
import type { PlanNode } from "../plan/types.js";
import { expandVariants } from "../plan/variants.js";
import { EXPORT_CODES } from "./compile.js";
import { EXPORTED_KINDS, type ExportInput, type ExportStage, type RenderedGroup, type StageData, type StageHP, type StageKind } from "./types.js";

export interface Gathered {
  input: ExportInput | null;
  diagnostics: Diagnostic[];
  tokens?: { count: (s: string) => number; name: string };
}

const refName = (v: IRValue | undefined): string | null => (v && typeof v === "object" && !Array.isArray(v) && "$ref" in v ? (v.$ref as string) : null);
/** Hugging Face ids whose tokenizer is GPT-2's BPE (r50k_base). */
const GPT2_FAMILY = /^(?:openai-community\/)?(?:gpt2(?:-medium|-large|-xl)?|distilgpt2)$/;
const fileOf = (recipe: CheckedRecipe, b: CheckedBlock) => b.file ?? recipe.file;

/** The model block at the root of a stage's init chain. */
function rootModel(recipe: CheckedRecipe, b: CheckedBlock): CheckedBlock | null {
  let cur: CheckedBlock | undefined = b;
  for (let guard = 0; cur && guard < 1000; guard++) {
    if (cur.keyword === "model") return cur;
    const next = refName(cur.props.init);
    cur = next ? recipe.blocks.find((x) => x.name === next) : undefined;
  }
  return null;
}

/**
 * A stage's hyperparameters: its plan node's parameters as they are (every default filled by the
 * checker; the recipe's names, so no mapping), with steps/epochs resolved as the run resolves them.
 */
function hpOf(node: PlanNode): StageHP {
  const p = stageParams(node) as TrainingParams & Partial<StagePpoParams>;
  const { steps, epochs } = stepsOrEpochs(p);
  return { ...p, steps, epochs, kl_budget: p.kl_budget ?? null };
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

async function stageData(recipe: CheckedRecipe, b: CheckedBlock, fmt: ChatFormat): Promise<{ data: StageData; dataName: string; ptx: ExportStage["ptx"] }> {
  const dataName = refName(b.props.data) ?? refName(b.props.prompts) ?? b.name;
  switch (b.kind as StageKind) {
    case "pretrain":
    case "sft": {
      const built = await buildExamples(recipe, b.name, { prop: "data", format: fmt });
      if (built.kind === "text") return { data: { kind: "text", train: built.train.lines, test: built.heldout.lines }, dataName, ptx: null };
      if (built.kind === "sft") return { data: { kind: "sft", train: built.train, test: built.heldout }, dataName, ptx: null };
      throw new Error(`${b.name}: comparisons cannot train a language model`);
    }
    case "reward_model":
    case "dpo": {
      const built = await buildValue(recipe, b.props.data, {}, `stage \`${b.name}\`.data`);
      if (built.kind !== "comparisons") throw new Error(`${b.name}.data: expected rankings or pairs, got ${built.kind} data`);
      return { data: { kind: "comparisons", train: render(built.train, fmt), test: render(built.heldout, fmt) }, dataName, ptx: null };
    }
    case "ppo": {
      const ps = await buildPrompts(recipe, b.props.prompts!);
      const data: StageData = { kind: "prompts", train: ps.train.map((p) => fmt.promptOnly(p.prompt, p.system ?? "")), test: [] };
      let ptx: ExportStage["ptx"] = null;
      if (b.props.ptx_data !== undefined && typeof b.props.ptx_coef === "number" && b.props.ptx_coef > 0) {
        const built = await buildExamples(recipe, b.name, { prop: "ptx_data", format: fmt });
        const name = `${b.name}-ptx`;
        if (built.kind === "text") ptx = { name, data: { kind: "text", train: built.train.lines, test: [] } };
        else if (built.kind === "sft") ptx = { name, data: { kind: "sft", train: built.train, test: [] } };
      }
      return { data, dataName: refName(b.props.prompts) ?? "prompts", ptx };
    }
  }
}

/** Everything an export needs from a checked recipe (one variant of a swept recipe). */
export async function gatherExport(recipe: CheckedRecipe, opts: { variant?: string; until?: string } = {}): Promise<Gathered> {
  const diagnostics: Diagnostic[] = [];
  let r = recipe;
  const variants = expandVariants(recipe);
  if (variants.length) {
    const v = opts.variant !== undefined ? variants.find((x) => x.name === opts.variant || x.label === opts.variant) : undefined;
    if (!v) {
      diagnostics.push({ code: "AL4609", severity: "error", message: `${EXPORT_CODES.AL4609}; this recipe has ${variants.length}: ${variants.map((x) => x.label).join(", ")}`, file: recipe.file, span: null, hint: `pass --variant ${variants[0]!.label}` });
      return { input: null, diagnostics };
    }
    r = v.recipe;
  }
  const planned = planRecipe(r);
  diagnostics.push(...planned.diagnostics.filter((d) => d.severity === "error"));
  if (!planned.plan || diagnostics.length) return { input: null, diagnostics };

  const stages: ExportStage[] = [];
  const skipped: ExportInput["skipped"] = [];
  if (opts.until !== undefined && !r.blocks.some((b) => b.keyword === "stage" && b.name === opts.until)) {
    const names = r.blocks.filter((b) => b.keyword === "stage").map((b) => b.name);
    diagnostics.push({ code: "AL4610", severity: "error", message: `--until ${opts.until}: no such stage (stages: ${names.join(", ")})`, file: r.file, span: null });
    return { input: null, diagnostics };
  }
  let past = false; // after the --until stage: listed, not exported
  try {
    for (const node of planned.plan.nodes) {
      const b = r.blocks.find((x) => x.name === (node.block ?? node.id));
      if (!b || node.id !== b.name) continue; // derived nodes (data chains) belong to their blocks
      if (past && (b.keyword === "stage" || b.keyword === "eval")) {
        skipped.push({ name: b.name, kind: b.kind, why: `after \`--until ${opts.until}\`` });
        continue;
      }
      if (b.keyword === "eval") {
        skipped.push({ name: b.name, kind: b.kind, why: "evaluations are not exported; alignc can run them on the exported checkpoints" });
        continue;
      }
      if (b.keyword !== "stage") continue;
      if (!(EXPORTED_KINDS as readonly string[]).includes(b.kind)) {
        diagnostics.push({ code: "AL4602", severity: "error", message: `stage kind \`${b.kind}\` has no export`, file: fileOf(r, b), span: b.decl.span });
        continue;
      }
      const initName = refName(b.props.init)!;
      const initBlock = r.blocks.find((x) => x.name === initName)!;
      const model = rootModel(r, b);
      let init: ExportStage["init"];
      if (initBlock.keyword === "model") {
        const hf = typeof initBlock.props.hf === "string" ? initBlock.props.hf : "";
        if (/[\s]/.test(hf))
          diagnostics.push({ code: "AL4601", severity: "error", message: `model \`${initBlock.name}\`: hf = ${JSON.stringify(hf)} holds whitespace; a Hugging Face id or folder path cannot`, file: fileOf(r, initBlock), span: initBlock.propSpans.hf ?? initBlock.decl.span });
        if (!hf)
          diagnostics.push({
            code: "AL4601",
            severity: "error",
            message: `stage \`${b.name}\` starts from model \`${initBlock.name}\`, which exists only as a tfjs definition: an export needs the Hugging Face model to start from`,
            file: fileOf(r, initBlock),
            span: initBlock.decl.span,
            hint: `add \`hf = "gpt2"\` (a Hugging Face model id, or a local folder with config.json and weights) to model \`${initBlock.name}\`; a variant can do it: \`${initBlock.name}.hf = "gpt2"\``,
          });
        init = { hf, model: initBlock.name };
      } else init = { stage: initBlock.name };
      const fmtName = refName(b.props.format);
      const fmt = fmtName ? loadFormat(r, fmtName) : RAW_FORMAT;
      const { data, dataName, ptx } = await stageData(r, b, fmt);
      const stage: ExportStage = { name: b.name, kind: b.kind as StageKind, span: b.decl.span, file: fileOf(r, b), init, hp: hpOf(node), data, dataName, ptx };
      if (b.kind === "ppo") {
        // reward = "rule" is the demo data's rule (src/data/demo/rule.ts): no target can call it
        if (b.props.reward === "rule")
          diagnostics.push({
            code: "AL4611",
            severity: "error",
            message: `stage \`${b.name}\` has reward = "rule" (alignc's demo rule as the reward): no export target can compute it`,
            file: fileOf(r, b),
            span: b.propSpans.reward ?? b.decl.span,
            hint: "export a recipe whose PPO stage uses a reward_model stage (the rule reward is a control for alignc runs)",
          });
        else stage.reward = refName(b.props.reward)!;
      }
      stages.push(stage);
      if (b.name === opts.until) past = true;
    }
  } catch (err) {
    if (err instanceof DiagnosticError) return { input: null, diagnostics: [...diagnostics, ...err.diagnostics] };
    throw err;
  }
  if (diagnostics.some((d) => d.severity === "error")) return { input: null, diagnostics };
  const first = stages[0] ? rootModel(r, r.blocks.find((b) => b.name === stages[0]!.name)!) : null;
  // Rows are dropped by the target's own tokenizer: when the target model is a GPT-2 we count with
  // GPT-2's BPE (exact); otherwise with the recipe's tokenizer (the count alignc's max_length uses).
  const hf = typeof first?.props.hf === "string" ? first.props.hf : "";
  const tokens = GPT2_FAMILY.test(hf)
    ? await gpt2().then((t) => ({ count: (s: string) => t.encode(s).length, name: `gpt2 (the target model's BPE)` }))
    : await recipeTokenizer(r, refName(first?.props.tokenizer) ?? undefined).then((t) => ({ count: (s: string) => t.encode(s).length, name: t.name }));
  return { input: { recipe: r.name, file: basename(r.file), stages, skipped }, diagnostics, tokens };
}
