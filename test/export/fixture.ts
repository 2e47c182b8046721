// A small synthetic plan (pretrain → SFT → RM → PPO-ptx, and a DPO stage) with hand-made examples,
// so the export's logic is tested without the checker, planner or data layer. Each stage has at least
// one batch of rows on 4 × 8 GPUs (64 text lines, 64 DPO pairs): fewer train on nothing (AL4614).
import type { ComparisonGroup, SFTExample } from "../../src/data/types.js";
import { KINDS, TRUNCATE_DEFAULT } from "../../src/check/kinds.js";
import type { ExportInput, ExportStage, PpoHP, RenderedGroup, StageHP, StageHPCommon, StageKind } from "../../src/export/types.js";

/** A stage's hyperparameters as a test sets them: any field, steps and epochs each a number or null. */
export type HPOverride = Partial<Omit<StageHPCommon, never> & PpoHP & { steps: number | null; epochs: number | null }>;

/** `hp` with `over` applied, checked to train for exactly one of steps and epochs (as a plan's stage does). */
export function withHP(hp: StageHP, over: HPOverride): StageHP {
  const out = { ...hp, ...over };
  if ((out.steps === null) === (out.epochs === null)) throw new Error(`a stage trains for steps or for epochs, not ${out.steps === null ? "neither" : "both"}`);
  return out as StageHP;
}

/**
 * The fixture's choices that differ from the kinds table (so that each export row sees a value of
 * its own): a fixed seed, some warmup, one learning rate for the supervised stages, a short context.
 */
const FIXTURE_HP = { steps: 100, epochs: null, lr: 5e-4, warmup: 10, seed: 17, max_length: 64 } as const;

/**
 * Hyperparameters of a `kind` stage: the kinds table's defaults for that kind (src/check/kinds/stage.ts,
 * the ones the checker fills into a plan), the fixture's choices, then `over`.
 */
export function hp(kind: StageKind, over: HPOverride = {}): StageHP {
  const spec = KINDS.stage![kind]!;
  const defaults: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(spec.props)) if (schema.default !== undefined) defaults[name] = schema.default;
  // as from-plan.ts resolves them: the root model's dropout, and `truncate` (no default filled in) where the kind has one
  const resolved = { dropout: KINDS.model!.gpt!.props.dropout!.default, ...("truncate" in spec.props ? { truncate: TRUNCATE_DEFAULT } : {}) };
  const base = { ...defaults, ...resolved, ...FIXTURE_HP, ...(kind === "ppo" ? { kl_budget: null } : {}) } as unknown as StageHP;
  return withHP(base, over);
}

const fmt = (prompt: string, response: string): SFTExample => {
  const head = `User: ${prompt}\nAssistant: `;
  const text = `${head}${response}\n`;
  return { id: prompt, prompt, response, text, promptSpan: [6, 6 + prompt.length], responseSpan: [head.length, head.length + response.length], meta: { source: "demos" } };
};

function group(i: number, k: number): RenderedGroup {
  const responses = Array.from({ length: k }, (_, j) => `answer ${i}.${j}`);
  const pairs: [number, number][] = [];
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) pairs.push([a, b]);
  const g: ComparisonGroup = { id: `g${i}`, prompt: `question ${i}`, responses, pairs, ranks: responses.map((_, j) => j), meta: { source: "prefs" } };
  return { group: g, prompt: `User: question ${i}\nAssistant: `, completions: responses.map((r) => `${r}\n`) };
}

export function fixtureStages(opts: { ptx?: number; k?: number } = {}): ExportStage[] {
  const k = opts.k ?? 4;
  const sft = Array.from({ length: 40 }, (_, i) => fmt(`say ${i}`, `${i}`));
  const base = { file: "/r/fixture.align", span: { start: 0, end: 5, line: 3, col: 1, endLine: 3, endCol: 6 } };
  return [
    { ...base, name: "pre", kind: "pretrain", init: { hf: "gpt2", model: "tiny" }, hp: hp("pretrain", { steps: 300, lr: 1e-3 }), data: { kind: "text", train: ["a line", "yes", "no", ...Array.from({ length: 61 }, (_, i) => `line ${i}`)], test: ["off"] }, dataName: "corpus" },
    { ...base, name: "sft", kind: "sft", init: { stage: "pre" }, hp: hp("sft", { loss_on: "response" }), data: { kind: "sft", train: sft.slice(0, 32), test: sft.slice(32) }, dataName: "sft_data" },
    { ...base, name: "rm", kind: "reward_model", init: { stage: "sft" }, hp: hp("reward_model", { steps: 150, lr: 1e-4, batch_size: 4, pairs: "all" }), data: { kind: "comparisons", train: Array.from({ length: 8 }, (_, i) => group(i, k)), test: [group(99, k)] }, dataName: "prefs" },
    {
      ...base,
      name: "policy",
      kind: "ppo",
      init: { stage: "sft" },
      reward: "rm",
      hp: hp("ppo", { steps: 40, lr: 1e-5, ptx_coef: opts.ptx ?? 1 }),
      data: { kind: "prompts", train: Array.from({ length: 120 }, (_, i) => `User: q${i}\nAssistant: `), test: [] },
      dataName: "prefs",
      ptx: { name: "policy-ptx", data: { kind: "sft", train: sft.slice(0, 32), test: [] } },
    },
    { ...base, name: "dpo", kind: "dpo", init: { stage: "sft" }, hp: hp("dpo", { lr: 1e-5, beta: 0.1 }), data: { kind: "comparisons", train: Array.from({ length: 64 }, (_, i) => group(i, 2)), test: [] }, dataName: "pairs" },
  ];
}

export function fixtureInput(opts: { ptx?: number; k?: number; without?: string[] } = {}): ExportInput {
  return {
    recipe: "fixture",
    file: "fixture.align",
    stages: fixtureStages(opts).filter((s) => !(opts.without ?? []).includes(s.name)),
    skipped: [{ name: "judge", kind: "win_rate", why: "evaluations are not exported" }],
  };
}
