// Content hashes of plan nodes (as Nix/Bazel action keys): a node's hash names its output in the
// run cache, so it must change exactly when what the node computes changes.
//
// hash(node) = sha256(canonicalJson({
//   kind, op,
//   params:  the resolved parameters, where
//            - a reference { $ref: id, member? } becomes { $input: hash(id), member? }: names never enter,
//            - a file { $file: path } becomes { $sha256: <content hash> }: paths never enter,
//            - a folder { $dir: path } becomes { $dir: [[name inside the folder, sha256], …] },
//            - mixture components (an unordered set) are sorted by their hashed form,
//            - parameters no computation reads (NOT_HASHED: display, and a model's `hf`, which only
//              `alignc export` reads) are dropped, and so are values equal to a default the checker
//              does not fill (IMPLICIT_DEFAULTS: `truncate = "prompt_first"` is leaving it out);
//   inputs:  the sorted hashes of the input nodes,
//   engine:  { alignc: package version, epoch: ENGINE_EPOCH },
// }))
// Renaming a block or reordering declarations therefore leaves every hash unchanged; changing one
// parameter changes that node's hash and, through `inputs`, exactly its descendants'.
//
// The seed rule: every node's params carry the recipe seed (src/plan/lower.ts adds `seed` to each).
// Most outputs depend on it (train/held-out splits, template expansion, mixture draws, model init,
// training order, sampled evals), and deciding per node which do is how a shared cache once reused
// lima's (seed 3) corpus split for the quickstart (seed 17). A node that happens not to use it only
// loses cache sharing across recipes of different seeds, never correctness. Sweep variants of one
// recipe share its seed, so they still share every upstream node; a sweep over `seed` forks all.
import { canonicalJson, sha256Hex } from "./canonical.js";
import { unreadParams } from "./unread-params.js";
import type { Json, PlanEngine, PlanFile } from "./types.js";
import { byCodeUnits } from "../common/code-order.js";
import { IMPLICIT_DEFAULTS } from "../check/data-options.js";

/**
 * Bump by hand when a change to alignc alters what some node computes for the same inputs (a data
 * reader, a template renderer, a training step): every cached output is then invalidated.
 */
export const ENGINE_EPOCH = 38; // 38: a conversation (`messages`, `conversations`) read as demonstrations is one example per assistant turn, each with the turns before it as its prompt (it was its last turn alone), and a row's examples are held out together; 37: a ranking or pair whose prompt is empty for a row (its field, or a template that prints nothing) is a bad row (AL3033), as a demonstration's is since 34 (summarize-from-feedback's CNN/DM rows, `info.post` null, were comparisons of answers to nothing: which rows a build keeps under on_error = "skip" changed); 36: an accuracy eval's samples carry their task's constant answer (`constant`, which the report shows beside them: a cached entry's samples lack it); 35: rm_accuracy summaries carry each task's length baselines (length_baseline/<task>, correctness_length_baseline/<task>, style_length_baseline/<task>: a cached summary lacks them); 34: sources keep other rows under on_error = "skip": a demonstrations row whose prompt renders empty is a bad row (AL3033), and so is one an `{{#each}}` without `{{else}}` walks as a string, number or boolean (AL3004); an accuracy eval chooses each constant answer (its baseline, the sign test against it, per-task figures and samples) within a task block's examples apart from rows whose `task` field reads like that block's name, and a win rate counts them as two tasks (the two shared one constant, and renaming the block, which moves no hash, split them: a cached baseline of 0.5 where a fresh run of the same plan gives 1; hunt K41); 33: rm_accuracy summaries carry style_accuracy / style_pairs (and per task, and style_length_baseline): pairs of one right answer, concise against after the preamble; rule-judged win rates carry style_wins/<task>, style_losses/<task> and preamble_b/<task> (a cached summary lacks them); a stage's model.safetensors and trained-with.json name its node by hash, not by block name (a renamed stage wrote other bytes under one hash); rm_accuracy reads a ranking's reference written with the preamble as its concise answer (it counted the right answer wrong); 32: win-rate summaries carry nonempty_p_value, the sign test on the decided pairs no answer of nothing won (the quickstart gates on it: a cached summary lacks it); a reward model's and DPO's before/after rows in metrics.jsonl carry heldout_accuracy_length_baseline (a cached entry's rows would replay without it); 31: win-rate summaries count each side's answers of nothing and the wins they took (empty_a/_b, empty_a_wins/_b_wins: a cached summary lacks them, and its headline would not say an RM judge counted empty answers as wins); 30: data read otherwise where it was silently wrong: a text file's lone `\r` ends a line (an old-Mac file was one line); two copies of one text ranked apart are a tie, not a comparison (a row left with none is left out, counted); promptsource YAML aliases are read as what they name (an aliased `metadata` made an auxiliary template direct); 29: evals ask a model as its stages trained it, the prompt's system text included (a win rate's two sides and its judge, a best-of's samples and pick, an accuracy eval's examples were prompted without it: a cached eval of such data would keep the old answers); PPO's probe logs its counts and sign test at every point of its curve (a cached entry's rows would replay bare points); a template's {options_} is filled in inverted and auxiliary templates too (FLAN patterns and .hbs), and a FLAN pattern's hidden list takes the newlines before it away (FLAN v2's no-options chain): such tasks render other examples; accuracy, win-rate and lm_loss summaries carry split_size; a draw's candidate rows carry their prompts' system text; a reward model's and DPO's summaries carry heldout_accuracy_length_baseline (a cached summary lacks it); 28: a reward model's and DPO's training rows carry batch_accuracy (one name was the batches' in metrics.jsonl and the held-out pairs' in the summary), pretrain and SFT rows val_loss_during (the curve's, on the first VAL_DURING held-out sequences, where the summary's val_loss is on VAL_FINAL): a cached entry's rows would replay the old names; 27: sources read rows otherwise (which rows a build keeps under on_error = "skip" changed): a ranking or pair may hold an empty response, a source declared `as pairs` refuses a row of more than two, a template path into a field that leads nowhere is a bad row; 26: a reward model reads the responses compared on one prompt (a judged pair, best-of candidates, one prompt's PPO rollouts) on one prompt cut, as its stage trained on a group (each was cut alone: a shorter answer kept more prompt); 25: a reward model's training batches' accuracy (its summary's accuracy without held-out pairs) weighs groups too, and its held-out pairs are scored in one pass as the rm_accuracy eval scores them (the two agree to the bit); a stage that declares no format trains in its init's (it trained raw while its evals read the parent's); 24: a reward model stage's heldout_accuracy (and its summary's accuracy) weighs ranking groups as its training and the rm_accuracy eval's accuracy do (it pooled pairs: one name meant two measures); 23: a reward model scoring as PPO's reward, in PPO's greedy probe, as a win rate's judge or as a best-of pick reads each (prompt, response) cut as its stage cut its training pairs (max_length, truncate; it kept the model's last context tokens); 22: rm_accuracy summaries carry length_baseline and correctness_length_baseline (a cached summary lacks them); an accuracy's paired test against the constant counts each distinct example once (copies counted again); 21: a win rate's interval takes Clopper–Pearson on the decisive pairs where it took Wilson's (which excluded ½ where the sign test did not reject); a score gain's interval uses Student's t; a reward model's training-batch accuracy counts a tied pair ½; PPO summaries carry greedy_rule_wins/ties/losses/p_value (a cached summary lacks them); 20: a rule-judged win rate prompts b in b's own chat format, tokenizer and context (it used a's); a DPO stage given in epochs counts passes over its pairs (it counted ranking groups, as a reward model's batch does); 19: a demonstration row's `task` field is its task (meta.task), as a ranking's: win rates on such prompts count per task and an accuracy eval on them answers each task's own constant (it answered one per source); 18: a rule-judged win rate carries each side's right answers (right_a/b, preamble_a/b) and style_alone_win_rate (a cached summary without them would fail a gate naming them); 17: PPO's rule reward (`reward = "rule"`, and the rule_score and greedy_rule_score it logs beside a reward model's) reads a reference written with the preamble as its concise answer, as the rule judge does (it scored the concise right answer 0 there); PPO summaries carry greedy_rule_win_rate; 16: a DPO stage's summary carries heldout_accuracy(_before), its held-out pairs ordered by the implicit reward (a tie ½), and its `accuracy` is that figure, as a reward model's (it was the training batches'); a tied pair counts ½ in DPO's batch accuracy (it counted 0); 15: rm_accuracy cuts its pairs as its reward model's stage cut its own (the stage's max_length and truncate; it used the model's context, prompt first); 14: a samples draw is seeded by its seed key (was its node hash, so every epoch drew other samples); a JSON number a double cannot print back is read as its text; a mixture's per_category quota keys a FLAN task's examples by the task's identity, not its block name; 13: a win rate's interval is the wider of MOVER-Wilson on p_W − p_L and epoch 12's (which took the decisive share as known and covered 0.88 with many ties); 12: eval figures: a win rate's interval is Wilson's on the decisive pairs mapped with the ties at ½ (was Wilson on wins + ties/2); a reward-model judge scores each distinct answer once (identical answers tie exactly); an accuracy baseline answers each task's own constant, ties broken against the model; 11: a task record's text for the split has its string values whitespace-normalised (records differing only in whitespace are one text); 10: a held-out split is drawn over distinct texts, each with all its copies (src/data/split.ts; data without copies splits as before); 9: copies followed their first copy's side; 8: PPO summaries carry greedy_reward(_before), which the quickstart gates (a cached summary without them would fail it); 7: a reward model's tied pair counts ½ in its accuracy (was 0), in the RM stage's heldout_accuracy and the rm_accuracy eval; 6: pretrain/SFT summaries carry val_loss_baseline and lm_loss evals baseline (a cached summary without them would fail a gate naming them); 2: data seeded by content identities, win-rate evals decode greedily; 3: data built from plan nodes, seeded by their seed keys (src/data/plan-input.ts); 4: the data layer draws with sfc32 (src/common/rng.ts), the one PRNG, instead of mulberry32; 5: micro-batches computed in parallel_shares fixed shares added in share order (dropout seeded per share), PPO rollouts sampled per share from (seed, step, share) streams

/**
 * Parameters that change what is shown or logged, never what is computed: left out of the hash so
 * that editing them reuses cached outputs. `checkpoint_every` only decides where a run may resume
 * (resume is exact), `log_every` how often metrics are printed, `description` is free text.
 */
export const NOT_HASHED = new Set(["log_every", "checkpoint_every", "description"]);
// … and, per node, the parameters its other values leave unread (src/plan/unread-params.ts)
/** Per node kind: a model's `hf` names the Hugging Face model an export starts from; hashed, adding it to
 * a recipe in order to export it re-trained every stage (a new hash for every node after the model). */
const NOT_HASHED_OF_KIND: Readonly<Record<string, ReadonlySet<string>>> = { model: new Set(["hf"]) };

/** Parameters whose list order carries no meaning (a set of inputs), by op. */
const UNORDERED: Record<string, string[]> = { mix: ["components"] };

export interface HashableNode {
  id: string;
  kind: string;
  op: string;
  params: { [key: string]: Json };
  inputs: string[];
  files: PlanFile[];
}

/** The JSON a node's hash is taken over (exported for tests and for `alignc plan --explain`-style debugging). */
export function hashMaterial(node: HashableNode, inputHash: (id: string) => string, engine: PlanEngine): Json {
  const fileSha = new Map(node.files.map((f) => [f.path, f.sha256]));
  const sub = (v: Json): Json => {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(sub);
    if (typeof v.$ref === "string") {
      const out: { [k: string]: Json } = { $input: inputHash(v.$ref) };
      if (typeof v.member === "string") out.member = v.member;
      return out;
    }
    if (typeof v.$file === "string") return { $sha256: fileSha.get(v.$file) ?? null };
    if (typeof v.$dir === "string") {
      const prefix = v.$dir === "." ? "" : `${v.$dir}/`;
      return { $dir: node.files.filter((f) => f.path.startsWith(prefix)).map((f) => [f.path.slice(prefix.length), f.sha256]) };
    }
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = sub(x);
    return out;
  };
  const params: { [k: string]: Json } = {};
  const unread = unreadParams(node.op, node.params);
  // inputs only an unread parameter names are no input of what runs
  const read = new Set<string>();
  const onlyUnread = new Set<string>();
  for (const k of unread) refsIn(node.params[k] ?? null, onlyUnread);
  for (const [k, v] of Object.entries(node.params)) {
    if (NOT_HASHED.has(k) || NOT_HASHED_OF_KIND[node.kind]?.has(k) || unread.includes(k)) continue;
    // a default the checker does not fill, written out: the same computation as leaving it out
    if (Object.hasOwn(IMPLICIT_DEFAULTS, k) && IMPLICIT_DEFAULTS[k] === v) continue;
    refsIn(v, read);
    let h = sub(v);
    if ((UNORDERED[node.op] ?? []).includes(k) && Array.isArray(h))
      h = h
        .map((x) => [canonicalJson(x), x] as const)
        .sort((a, b) => byCodeUnits(a[0], b[0]))
        .map(([, x]) => x);
    params[k] = h;
  }
  return {
    kind: node.kind,
    op: node.op,
    params,
    inputs: node.inputs.filter((id) => read.has(id) || !onlyUnread.has(id)).map(inputHash).sort(),
    engine: { alignc: engine.alignc, epoch: engine.epoch },
  };
}

/** Hashes of nodes given in topological order (inputs first). */
export function hashNodes(nodes: readonly HashableNode[], engine: PlanEngine): Map<string, string> {
  const hashes = new Map<string, string>();
  const inputHash = (id: string): string => {
    const h = hashes.get(id);
    if (h === undefined) throw new Error(`plan: input ${id} hashed after its consumer (not topological)`);
    return h;
  };
  for (const n of nodes) hashes.set(n.id, sha256Hex(canonicalJson(hashMaterial(n, inputHash, engine))));
  return hashes;
}

function refsIn(v: Json, out: Set<string>): void {
  if (v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    for (const x of v) refsIn(x, out);
    return;
  }
  if (typeof v.$ref === "string") out.add(v.$ref);
  for (const x of Object.values(v)) refsIn(x, out);
}

