// A small synthetic plan (pretrain → SFT → RM → PPO-ptx, and a DPO stage) with hand-made examples,
// so the export's logic is tested without the checker, planner or data layer.
import type { ComparisonGroup, SFTExample } from "../../src/data/types.js";
import type { ExportInput, ExportStage, RenderedGroup, StageHP } from "../../src/export/types.js";

export function hp(over: Partial<StageHP> = {}): StageHP {
  return {
    steps: 100,
    epochs: null,
    batch_size: 16,
    accumulate: 1,
    lr: 5e-4,
    warmup: 10,
    schedule: "cosine",
    min_lr_ratio: 0.1,
    optimizer: "adamw",
    weight_decay: 0.1,
    grad_clip: 1,
    log_every: 10,
    checkpoint_every: 100,
    max_length: 64,
    seed: 17,
    ...over,
  };
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
    { ...base, name: "pre", kind: "pretrain", init: { hf: "gpt2", model: "tiny" }, hp: hp({ steps: 300, lr: 1e-3 }), data: { kind: "text", train: ["a line", "yes", "no"], test: ["off"] }, dataName: "corpus" },
    { ...base, name: "sft", kind: "sft", init: { stage: "pre" }, hp: hp({ loss_on: "response" }), data: { kind: "sft", train: sft.slice(0, 32), test: sft.slice(32) }, dataName: "sft_data" },
    { ...base, name: "rm", kind: "reward_model", init: { stage: "sft" }, hp: hp({ steps: 150, lr: 1e-4, batch_size: 4, pairs: "all" }), data: { kind: "comparisons", train: Array.from({ length: 8 }, (_, i) => group(i, k)), test: [group(99, k)] }, dataName: "prefs" },
    {
      ...base,
      name: "policy",
      kind: "ppo",
      init: { stage: "sft" },
      reward: "rm",
      hp: hp({ steps: 40, lr: 1e-5, kl_coef: 0.1, ptx_coef: opts.ptx ?? 1, clip: 0.2, vf_coef: 0.1, gae_lambda: 0.95, discount: 1, ppo_epochs: 2, max_new_tokens: 24, temperature: 1, top_k: 0, kl_budget: null }),
      data: { kind: "prompts", train: Array.from({ length: 120 }, (_, i) => `User: q${i}\nAssistant: `), test: [] },
      dataName: "prefs",
      ptx: { name: "policy-ptx", data: { kind: "sft", train: sft.slice(0, 32), test: [] } },
    },
    { ...base, name: "dpo", kind: "dpo", init: { stage: "sft" }, hp: hp({ lr: 1e-5, beta: 0.1 }), data: { kind: "comparisons", train: Array.from({ length: 4 }, (_, i) => group(i, 2)), test: [] }, dataName: "pairs" },
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
