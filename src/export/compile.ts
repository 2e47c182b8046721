// ExportInput (stages in plan order with their examples) → the files of an export folder. Pure: no
// I/O, no clock, so two exports of the same recipe are byte-identical. Lossy steps are never silent:
// each is an error (unless the user opts out), a warning diagnostic, or a line in EXPORT.md.
import type { Diagnostic } from "../lang/diagnostic.js";
import { launchScript } from "./launch.js";
import { exportReadme, type StageSummary } from "./readme.js";
import { pairRows, rowsFor, splitSFT, toJsonl, type PairRow, type Row } from "./rows.js";
import { axolotlTarget } from "./targets/axolotl.js";
import { testFile, trainFile, type TargetOutput } from "./targets/common.js";
import { openrlhfTarget, type OpenRLHFVersion } from "./targets/openrlhf.js";
import { rolloutPrompts } from "./targets/openrlhf-length.js";
import { TRL_PPO_EVAL_ROWS, trlTarget } from "./targets/trl.js";
import { pairsOf, ppoHP } from "./ppo-hp.js";
import { pairLonger, positionsProblem } from "./model-positions.js";
import { targetVersionOf, TARGET_VERSIONS, type Approximation, type ExportFile, type ExportInput, type ExportOptions, type ExportResult, type ExportStage, type StageData } from "./types.js";
import { maxOf, minOf } from "../common/arrays.js";
import { byCodeUnits } from "../common/code-order.js";

/** Export diagnostic codes (AL46xx, inside the plan range): stable, one meaning each. */
export const EXPORT_CODES = {
  AL4601: "the model an export starts from has no Hugging Face model (`hf`)",
  AL4602: "the target has no trainer for this stage kind",
  AL4603: "the ptx term (ptx_coef > 0) does not exist in the target",
  AL4604: "the target's trainer for this stage is experimental",
  AL4605: "the target silently drops rows that exceed max_length",
  AL4606: "unsupported target version or cluster size",
  AL4607: "the target holds out prompts for evaluation that the recipe does not have",
  AL4608: "K-way rankings become C(K,2) independent pairs",
  AL4609: "a property the export needs is a sweep: export one variant",
  AL4610: "--until names no stage of the recipe",
  AL4611: "PPO's reward is alignc's demo rule (reward = \"rule\"), which no target can compute",
  AL4612: "a stage's max_length is longer than the target model's positions",
  AL4613: "the cluster's GPUs do not divide the prompts of a PPO rollout (OpenRLHF 0.7.0.post1)",
  AL4614: "a stage's training rows fill no batch of the cluster: the target would train on nothing",
} as const;

function diag(code: keyof typeof EXPORT_CODES, severity: Diagnostic["severity"], message: string, stage: ExportStage | null, file: string, hint?: string): Diagnostic {
  return { code, severity, message, file: stage?.file ?? file, span: stage?.span ?? null, ...(hint ? { hint } : {}) };
}

function rowShape(opts: ExportOptions, s: ExportStage): string {
  const textRows = s.kind === "pretrain" || (s.kind === "sft" && s.hp.loss_on === "all");
  if (textRows) return "`text`";
  if (s.kind === "sft") return opts.to === "axolotl" ? "`messages` (user, assistant)" : "`prompt`, `completion`";
  if (s.kind === "ppo") return "`prompt`";
  if (opts.to === "axolotl") return s.kind === "reward_model" ? "`system`, `input`, `chosen`, `rejected`" : "`messages`, `chosen`, `rejected`";
  return "`prompt`, `chosen`, `rejected`";
}

function stageRows(opts: ExportOptions, s: ExportStage, split: "train" | "test"): Row[] {
  // `pairs = "adjacent"` is what a stage trains on; its held-out accuracy, in alignc, scores every pair of
  // the held-out groups (src/run/nodes/stage-data.ts): the test rows hold them all (export37)
  return rowsFor(opts.to, s.kind, s.data, split, { pairs: split === "test" ? "all" : pairsOf(s), lossOnAll: s.kind === "sft" && s.hp.loss_on === "all" });
}

/** ptx rows for OpenRLHF ≤ 0.7.0.post1: whole texts under the prompt key (its ptx dataset reads input_key in pretrain mode). */
function ptxRows(data: StageData): Row[] {
  if (data.kind === "text") return data.train.map((t) => ({ prompt: t }));
  if (data.kind === "sft") return data.train.map((ex) => ({ prompt: ex.text }));
  throw new Error(`ptx data of kind ${data.kind} cannot be exported`);
}

const trim = (rows: Row[], n: number | undefined) => (n === undefined ? rows : rows.slice(0, n));

/**
 * Rows a target drops without a word where alignc truncates: TRL's reward trainer drops pairs whose
 * prompt + response + EOS exceeds max_length (reward_trainer.py `_prepare_dataset`, even on tokenized
 * rows); OpenRLHF's SFT and DPO datasets drop examples whose prompt alone reaches max_len − 2
 * (datasets/sft_dataset.py, reward_dataset.py `process_data`); Axolotl (0.18) drops DPO pairs whose
 * prompt + chosen or prompt + rejected exceeds sequence_len (src/axolotl/utils/data/rl.py,
 * `_drop_long_sequences`: the prompt
 * and each response tokenized apart, without special tokens; the response is what
 * chat_template.default (prompt_strategies/dpo/chat_template.py) renders with the export's
 * concatenating template: the completion and the EOS text, which its rstrip() leaves whole).
 * Axolotl's other kinds cut, not drop: reward-model rows are truncated to their first sequence_len
 * tokens (prompt_strategies/bradley_terry/chat_template.py, `_tokenize_single_prompt`; the
 * long-sequence filter, utils/data/utils.py `handle_long_seq_in_dataset`, skips datasets without
 * `input_ids`, "expected for reward modeling"), SFT rows by the excess_length_strategy = truncate
 * the export writes, and text rows are split into sequence_len pieces (prompt_strategies/completion.py).
 * The rest cut, not drop (read in their sources): TRL 1.9's DPO trainer (`_truncate_inputs`) and SFT
 * trainer (`truncate_dataset`), OpenRLHF's reward-model rows (datasets/reward_dataset.py drops only
 * when is_dpo) and pretrain-mode SFT rows; TRL's PPO script and OpenRLHF's PromptDataset filter nothing.
 * Counted in alignc's tokens (the closest count available offline).
 */
export function silentDrops(to: ExportOptions["to"], s: ExportStage, count?: (t: string) => number): { rule: string; count: number | null; total: number } | null {
  const max = s.hp.max_length;
  if (to === "trl" && s.kind === "reward_model" && s.data.kind === "comparisons") {
    const pairs = pairRows(s.data.train, pairsOf(s));
    const rule = `TRL's reward trainer drops pairs longer than max_length = ${max} tokens (prompt + response + EOS)`;
    if (!count) return { rule, count: null, total: pairs.length };
    return { rule, count: pairs.filter((p) => pairLonger(p, max, count)).length, total: pairs.length };
  }
  if (to === "openrlhf" && s.kind === "sft" && s.hp.loss_on !== "all" && s.data.kind === "sft") {
    const rule = `OpenRLHF's SFT dataset drops examples whose prompt reaches max_len − 2 = ${max - 2} tokens`;
    if (!count) return { rule, count: null, total: s.data.train.length };
    return { rule, count: s.data.train.filter((ex) => count(splitSFT(ex).prompt) >= max - 2).length, total: s.data.train.length };
  }
  if (to === "openrlhf" && s.kind === "dpo" && s.data.kind === "comparisons") {
    const pairs = pairRows(s.data.train, pairsOf(s));
    const rule = `OpenRLHF's DPO dataset drops pairs whose prompt reaches max_len − 2 = ${max - 2} tokens`;
    if (!count) return { rule, count: null, total: pairs.length };
    return { rule, count: pairs.filter((p) => count(p.prompt) >= max - 2).length, total: pairs.length };
  }
  if (to === "axolotl" && s.kind === "dpo" && s.data.kind === "comparisons") {
    const pairs = pairRows(s.data.train, pairsOf(s));
    const rule = `Axolotl drops DPO pairs whose prompt + chosen or prompt + rejected (response + EOS) exceeds sequence_len = ${max} tokens`;
    if (!count) return { rule, count: null, total: pairs.length };
    const over = (p: PairRow) => count(p.prompt) + count(p.chosen) + 1 > max || count(p.prompt) + count(p.rejected) + 1 > max;
    return { rule, count: pairs.filter(over).length, total: pairs.length };
  }
  return null;
}

export function compileExport(input: ExportInput, opts: ExportOptions, tokens?: { count: (s: string) => number; name: string }): ExportResult {
  const diagnostics: Diagnostic[] = [];
  const approximations: Approximation[] = [];
  const version = targetVersionOf(opts);
  if (!TARGET_VERSIONS[opts.to].includes(version))
    diagnostics.push(diag("AL4606", "error", `${opts.to} ${version} is not a version alignc knows; supported: ${TARGET_VERSIONS[opts.to].join(", ")}`, null, input.file));
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || !Number.isInteger(opts.gpusPerNode) || opts.gpusPerNode < 1)
    diagnostics.push(diag("AL4606", "error", `--nodes and --gpus-per-node must be positive integers (got ${opts.nodes}, ${opts.gpusPerNode})`, null, input.file));
  if (diagnostics.length) return { files: [], diagnostics, approximations };

  // ---- what the target cannot do: checked before anything is written
  for (const s of input.stages) {
    const found = positionsProblem(opts.to, s, input.positionTokens?.count);
    if (!found) continue;
    const rows = found.over === null ? "" : `; ${found.over} of its ${found.total} training ${s.data.kind === "comparisons" ? "pairs" : s.data.kind === "prompts" ? "prompts" : "rows"} are too long (${input.positionTokens!.name})`;
    diagnostics.push(
      diag("AL4612", "error", `stage \`${s.name}\` starts from ${s.positions!.hf}: ${found.what}: ${s.kind === "ppo" && opts.to === "openrlhf" ? `OpenRLHF's vLLM would refuse to start (its max_model_len, the prompt length plus max_new_tokens, past the model's ${s.positions!.n} positions)` : `the target would fail (a position index out of range) on any sequence past ${s.positions!.n} tokens${rows}`}`, s, input.file, `keep max_length = ${s.positions!.n} or less on stage \`${s.name}\` (the model's context is its default)${s.kind === "ppo" ? ", and PPO's prompts with max_new_tokens within it" : ""}`),
    );
  }
  for (const s of input.stages) {
    if ("hf" in s.init && !s.init.hf) diagnostics.push(diag("AL4601", "error", `stage \`${s.name}\` starts from model \`${s.init.model}\`, which has no Hugging Face model to export from`, s, input.file));
    if (s.kind === "ppo" && opts.to === "axolotl")
      diagnostics.push(diag("AL4602", "error", `Axolotl has no PPO trainer: stage \`${s.name}\` cannot be exported to Axolotl`, s, input.file, "export to openrlhf (train_ppo_ray) or trl (experimental PPO), or replace the stage with `dpo`"));
    if (s.kind === "ppo" && opts.to === "trl")
      diagnostics.push(diag("AL4604", "warning", `TRL's PPO trainer is experimental (trl.experimental.ppo): stage \`${s.name}\` runs through its example script, whose interface may change between TRL releases`, s, input.file));
    // train_ppo_ray.py (0.7.0.post1, _validate_args): rollout_batch_size % actor world size == 0, else it stops at start
    if (s.kind === "ppo" && opts.to === "openrlhf" && version === "0.7.0.post1") {
      const world = opts.nodes * opts.gpusPerNode;
      const prompts = rolloutPrompts(s, world);
      if (prompts % world !== 0) {
        const fits = Array.from({ length: prompts }, (_, i) => i + 1).filter((g) => prompts % g === 0);
        diagnostics.push(
          diag("AL4613", "error", `stage \`${s.name}\` rolls out ${prompts} prompts per step (batch_size ${s.hp.batch_size} ÷ ${ppoHP(s).samples_per_prompt} samples per prompt), which OpenRLHF ${version} spreads over its ${world} actor GPUs: it stops at start unless they divide the prompts`, s, input.file, `export for ${fits.join(", ")} GPUs in all (--nodes × --gpus-per-node), or give stage \`${s.name}\` a batch_size of ${world} prompts × ${ppoHP(s).samples_per_prompt} samples or a multiple of it`),
        );
      }
    }
    if (s.kind === "ppo" && ppoHP(s).ptx_coef > 0) {
      const hasPtx = opts.to === "openrlhf" && version === "0.7.0.post1";
      if (!hasPtx && !opts.dropPtx)
        diagnostics.push(
          diag("AL4603", "error", `stage \`${s.name}\` has ptx_coef = ${s.hp.ptx_coef} (γ of PPO-ptx), but ${opts.to} ${version} has no ptx loss`, s, input.file, "the ptx loss exists only in OpenRLHF ≤ 0.7.0.post1 (--to openrlhf --target-version 0.7.0.post1); or pass --drop-ptx to export PPO without it"),
        );
      else if (!hasPtx) approximations.push({ stage: s.name, text: `ptx_coef = ${s.hp.ptx_coef}: the ptx term is dropped (--drop-ptx); ${opts.to} ${version} trains plain PPO without the pretraining/SFT log-likelihood` });
      else if (!s.ptx) diagnostics.push(diag("AL4603", "error", `stage \`${s.name}\` has ptx_coef > 0 but no ptx_data`, s, input.file));
    }
    // trl/experimental/ppo/ppo.py selects the last 100 rows of its dataset as the eval split, whatever its size:
    // with 100 or fewer, `dataset.select(range(len(dataset) - 100))` fails at start, so nothing is written
    if (s.kind === "ppo" && opts.to === "trl") {
      const n = s.data.train.length;
      diagnostics.push(
        n <= TRL_PPO_EVAL_ROWS
          ? diag("AL4607", "error", `TRL's PPO script keeps the last ${TRL_PPO_EVAL_ROWS} prompts for evaluation; stage \`${s.name}\` has only ${n} training prompts, so the script would fail at start`, s, input.file, `add prompts (at least ${TRL_PPO_EVAL_ROWS + 1}) or export to openrlhf`)
          : diag("AL4607", "warning", `TRL's PPO script keeps the last ${TRL_PPO_EVAL_ROWS} prompts for evaluation: stage \`${s.name}\` trains there on ${n - TRL_PPO_EVAL_ROWS} of its ${n} training prompts (${(((n - TRL_PPO_EVAL_ROWS) / n) * 100).toFixed(0)} %)`, s, input.file, "export to openrlhf to train on every prompt, or add prompts"),
      );
      // and EXPORT.md says it too (its row counts are the rows written, which the script then splits)
      if (n > TRL_PPO_EVAL_ROWS) approximations.push({ stage: s.name, text: `prompts: TRL's PPO script keeps the last ${TRL_PPO_EVAL_ROWS} of the ${n} rows of data/${s.name}/train.jsonl for evaluation and trains on the first ${n - TRL_PPO_EVAL_ROWS} (AL4607)` });
    }
  }
  if (diagnostics.some((d) => d.severity === "error")) return { files: [], diagnostics, approximations };

  // ---- data
  const files: ExportFile[] = [];
  const summaries: StageSummary[] = [];
  const rowCounts = new Map<string, number>();
  for (const s of input.stages) {
    const train = stageRows(opts, s, "train");
    const test = stageRows(opts, s, "test");
    rowCounts.set(s.name, train.length);
    files.push({ path: trainFile(s.name), content: toJsonl(trim(train, opts.trimRows)), what: `training rows of stage \`${s.name}\` (${train.length})` });
    if (test.length) files.push({ path: testFile(s.name), content: toJsonl(trim(test, opts.trimRows)), what: `held-out rows of stage \`${s.name}\` (${test.length})` });
    const config = opts.to === "openrlhf" || (opts.to === "trl" && s.kind === "ppo") ? `configs/${s.name}.args` : `configs/${s.name}.yaml`;
    summaries.push({ name: s.name, config, trainRows: train.length, testRows: test.length, rowShape: rowShape(opts, s) });

    if (s.data.kind === "comparisons") {
      const groups = s.data.train;
      const ks = groups.map((g) => g.group.responses.length);
      const kMax = Math.max(0, maxOf(ks));
      const pairs = pairRows(groups, pairsOf(s));
      // alignc's DPO trains on the same independent pairs (train/stages/dpo.ts): an approximation of the reward model's loss only
      if (kMax > 2 && s.kind !== "dpo") {
        const text =
          `K-way rankings (K ${minOf(ks)}..${kMax}) become ${pairs.length} independent pair rows from ${groups.length} prompts (C(K,2) per prompt minus ties${s.hp.pairs === "adjacent" ? ", adjacent ranks only" : ""}). ` +
          `alignc's loss is −1/C(K,2)·Σ log σ(r(x,y_w) − r(x,y_l)) over a prompt's pairs, all in one batch, from K forward passes; ` +
          `the target's is the mean of −log σ(r_w − r_l) over shuffled pairs: one prompt's pairs no longer share a batch, each pair weighs 1 instead of 1/C(K,2) (prompts with more responses weigh more), and it runs 2 forward passes per pair (2·C(K,2) per prompt) instead of K`;
        approximations.push({ stage: s.name, text });
        diagnostics.push(diag("AL4608", "warning", `stage \`${s.name}\`: ${text}`, s, input.file));
      }
    }
    const drops = silentDrops(opts.to, s, tokens?.count);
    if (drops) {
      if (drops.count === null) approximations.push({ stage: s.name, text: `${drops.rule}; no tokenizer was available to count such rows` });
      else if (drops.count > 0) {
        const text = `${drops.count} of ${drops.total} rows: ${drops.rule} (counted with the tokenizer ${tokens!.name}; alignc truncates instead)`;
        approximations.push({ stage: s.name, text });
        diagnostics.push(diag("AL4605", "warning", `stage \`${s.name}\`: ${text}`, s, input.file, "raise max_length, or shorten the examples"));
      }
    }
    if (s.kind === "ppo" && s.ptx && opts.to === "openrlhf" && version === "0.7.0.post1" && ppoHP(s).ptx_coef > 0) {
      const rows = ptxRows(s.ptx.data);
      files.push({ path: trainFile(s.ptx.name), content: toJsonl(trim(rows, opts.trimRows)), what: `ptx rows of stage \`${s.name}\` from \`${s.ptx.name}\` (${rows.length}, whole texts)` });
    }
  }
  approximations.push(...commonApproximations(input, opts));

  // ---- configs and launchers
  let out: TargetOutput;
  if (opts.to === "trl") out = trlTarget(input, opts, rowCounts);
  else if (opts.to === "openrlhf") out = openrlhfTarget(input, opts, version as OpenRLHFVersion, rowCounts);
  else out = axolotlTarget(input, opts, rowCounts);
  files.push(...out.files);
  approximations.push(...out.approximations);
  diagnostics.push(...out.diagnostics);
  // a target's own refusal (OpenRLHF: a stage that would train on nothing, AL4614): nothing written
  if (diagnostics.some((d) => d.severity === "error")) return { files: [], diagnostics, approximations };
  files.push(launchScript(opts.to, out, opts));
  const readme = exportReadme(input, opts, version, summaries, [...files, { path: "EXPORT.md", content: "", what: "this file" }], approximations);
  files.push({ path: "EXPORT.md", content: readme, what: "this file" });
  files.sort((a, b) => byCodeUnits(a.path, b.path));
  return { files, diagnostics, approximations };
}

/** Differences every export to a Hugging Face engine has from alignc's own run. */
function commonApproximations(input: ExportInput, opts: ExportOptions): Approximation[] {
  const out: Approximation[] = [];
  out.push({ stage: null, text: "max_length is counted in the target model's tokens, alignc's in its own tokenizer's: the same number covers a different amount of text" });
  out.push({ stage: null, text: "the target shuffles rows with its own sampler (seeded by `seed`), so batches hold other examples than alignc's at the same step" });
  out.push({ stage: null, text: "the target trains in bf16 mixed precision with DeepSpeed ZeRO-3; alignc in float32 on one device, so results match in distribution, not bit for bit" });
  // text after the response: the completion (which also starts with the prompt's trailing whitespace) is more than the response
  if (input.stages.some((s) => s.data.kind === "sft" && s.data.train.some((ex) => ex.responseSpan[1] < ex.text.length)))
    out.push({ stage: null, text: "completions carry the chat format's text after the response (its end-of-turn markers); the target appends its tokenizer's EOS where alignc appends its own" });
  if (input.stages.some((s) => s.kind === "pretrain"))
    out.push({
      stage: null,
      text:
        "pretraining: alignc cuts the corpus, documents joined by EOS, into context-length windows; the target reads one document per row (unpacked, padded)" +
        // Axolotl's completion strategy (prompt_strategies/completion.py) tokenizes at most 64 × sequence_len tokens and splits them
        (opts.to === "axolotl" ? ", split into consecutive sequence_len-token rows where longer (at most its first 64 × sequence_len tokens)" : ""),
    });
  if (input.stages.some((s) => s.kind === "reward_model" && s.hp.pairs === "adjacent"))
    out.push({ stage: null, text: "pairs = adjacent: training rows hold only pairs of neighbouring rank levels, as alignc's own run trains; held-out rows hold every pair, as alignc's held-out accuracy scores them" });
  // its SFT dataset does the same outside pretrain mode (research33, audit35 M3): the model learns a space before EOS
  const openrlhfEos = (s: ExportStage) => s.kind === "reward_model" || s.kind === "dpo" || (s.kind === "sft" && s.hp.loss_on !== "all");
  if (opts.to === "openrlhf" && input.stages.some(openrlhfEos))
    out.push({
      stage: null,
      text: `OpenRLHF strips trailing newlines from prompt + completion and appends " " + EOS to each ${input.stages.some((s) => s.kind === "sft" && openrlhfEos(s)) ? "SFT row and " : ""}comparison text, so its models learn a space token before EOS (pretrain mode, for text rows, appends nothing)`,
    });
  return out;
}
