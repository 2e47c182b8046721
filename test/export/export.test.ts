import { test } from "node:test";
import assert from "node:assert/strict";
import { Template } from "@huggingface/jinja";
import { compileExport } from "../../src/export/compile.js";
import { AXOLOTL_CONCAT_JINJA, groupPairs, splitSFT } from "../../src/export/rows.js";
import type { ExportOptions } from "../../src/export/types.js";
import { fixtureInput, withHP, type HPOverride } from "./fixture.js";
import { ppoHP } from "../../src/export/ppo-hp.js";
import { GPT2_REWARD_PAD } from "../../src/export/model-positions.js";
import { gpt2 } from "../../src/data/tokenizers.js";
import { loadSurfaces, schemasAvailable, validateExport } from "../../src/export/index.js";

const opts = (o: Partial<ExportOptions>): ExportOptions => ({ to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: false, ...o });
const file = (r: ReturnType<typeof compileExport>, path: string) => r.files.find((f) => f.path === path)?.content;

test("two exports of the same input are byte-identical", () => {
  for (const to of ["trl", "openrlhf", "axolotl"] as const) {
    const a = compileExport(fixtureInput({ without: to === "axolotl" ? ["policy"] : [] }), opts({ to, dropPtx: true, nodes: 2 }));
    const b = compileExport(fixtureInput({ without: to === "axolotl" ? ["policy"] : [] }), opts({ to, dropPtx: true, nodes: 2 }));
    assert.deepEqual(a.files, b.files);
  }
});

test("PPO on Axolotl is an error located at the stage", () => {
  const r = compileExport(fixtureInput(), opts({ to: "axolotl", dropPtx: true }));
  const d = r.diagnostics.find((x) => x.code === "AL4602");
  assert.ok(d && d.severity === "error");
  assert.equal(d.span?.line, 3);
  assert.deepEqual(r.files, [], "nothing half-written");
});

test("TRL's PPO is a warning that names it experimental", () => {
  const r = compileExport(fixtureInput(), opts({ to: "trl", dropPtx: true }));
  const d = r.diagnostics.find((x) => x.code === "AL4604");
  assert.equal(d?.severity, "warning");
  assert.match(d!.message, /experimental/);
});

test("TRL's PPO script holds out its dataset's last 100 prompts: a warning says how many it trains on (120 → 20); with ≤ 100 the script fails at start, an error that writes nothing", () => {
  const r = compileExport(fixtureInput(), opts({ to: "trl", dropPtx: true }));
  const d = r.diagnostics.find((x) => x.code === "AL4607");
  assert.equal(d?.severity, "warning");
  assert.match(d!.message, /trains there on 20 of its 120 training prompts \(17 %\)/);
  assert.ok(r.files.length > 0, "a warning: the export is written");
  const few = fixtureInput();
  const policy = few.stages.find((s) => s.name === "policy")!;
  policy.data = { ...policy.data, train: policy.data.train.slice(0, 100) } as typeof policy.data;
  const failing = compileExport(few, opts({ to: "trl", dropPtx: true }));
  const e = failing.diagnostics.find((x) => x.code === "AL4607")!;
  assert.equal(e.severity, "error");
  assert.match(e.message, /only 100 training prompts, so the script would fail at start/);
  assert.deepEqual(failing.files, [], "nothing half-written");
  assert.equal(compileExport(fixtureInput(), opts({ to: "openrlhf", dropPtx: true })).diagnostics.find((x) => x.code === "AL4607"), undefined, "OpenRLHF trains on every prompt");
});

test("a batch the world cannot split (4 on 8 GPUs, global 8): TRL, Axolotl and OpenRLHF all train on alignc's steps × batch sequences, and say so", () => {
  const input = fixtureInput({ without: ["policy", "rm", "dpo"] });
  const sft = input.stages.find((s) => s.name === "sft")!;
  sft.hp = { ...sft.hp, steps: 10, epochs: null, batch_size: 4, accumulate: 1, warmup: 2, log_every: 2, checkpoint_every: 10 } as typeof sft.hp;
  sft.data = { ...sft.data, train: Array.from({ length: 100 }, (_, i) => (sft.data.train as unknown[])[i % sft.data.train.length]) } as typeof sft.data;
  const seqs: Record<string, number> = {};
  for (const to of ["trl", "axolotl"] as const) {
    const r = compileExport(input, opts({ to }));
    const yaml = file(r, "configs/sft.yaml")!;
    const n = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, "m").exec(yaml)?.[1]);
    const global = (to === "trl" ? n("per_device_train_batch_size") * n("gradient_accumulation_steps") : n("micro_batch_size") * n("gradient_accumulation_steps")) * 8;
    seqs[to] = n("max_steps") * global;
    assert.equal(n("max_steps"), 5, `${to}: 5 steps of 8 (alignc: 10 of 4)`);
    assert.equal(n("warmup_steps"), 1, `${to}: warmup scales with the steps`);
    // alignc scores SFT's held-out rows every max(log_every, ⌈steps / 10⌉) = 2 of its steps: 1 of the target's (it was checkpoint_every: audit38 #6)
    assert.deepEqual([n("logging_steps"), n("save_steps"), n("eval_steps")], [1, 5, 1], `${to}: intervals in the target's steps (alignc: log 2, checkpoint 10, held-out every 2)`);
    assert.ok(r.approximations.some((a) => a.stage === "sft" && /5 steps \(alignc: 10\) keep alignc.s 40 sequences/.test(a.text)), `${to}: ${JSON.stringify(r.approximations)}`);
  }
  const o = compileExport(input, opts({ to: "openrlhf" }));
  const args = file(o, "configs/sft.args")!;
  const flag = (f: string) => Number(new RegExp(`${f}\\s+(\\d+)`).exec(args)?.[1]);
  seqs.openrlhf = flag("--max_samples") || flag("--data.max_samples");
  assert.deepEqual(seqs, { trl: 40, axolotl: 40, openrlhf: 40 });
  // OpenRLHF counts its intervals in its own optimizer steps too
  assert.deepEqual([flag("--logger.logging_steps"), flag("--ckpt.save_steps"), flag("--eval.steps")], [1, 5, 1], "openrlhf: intervals in the target's steps");
});

test("OpenRLHF: --max_samples is written for whole passes too (its default, 1,000,000 rows, cut larger data); 0.11 runs eager attention, as 0.7 and alignc do (its default FlashAttention-2 needs flash-attn and an Ampere GPU)", () => {
  for (const [v, maxSamples, attn] of [["0.7.0.post1", "--max_samples", null], ["0.11.0", "--data.max_samples", "eager"]] as const) {
    const input = fixtureInput({ without: ["policy", "rm", "dpo"] });
    const sft = input.stages.find((s) => s.name === "sft")!;
    sft.hp = { ...sft.hp, steps: null, epochs: 2 } as typeof sft.hp;
    const args = file(compileExport(input, opts({ to: "openrlhf", targetVersion: v })), "configs/sft.args")!;
    assert.match(args, new RegExp(`^${maxSamples}\n${sft.data.train.length}$`, "m"), `${v}: every training row, written`);
    if (attn) assert.match(args, /^--ds\.attn_implementation\neager$/m, v);
    else assert.doesNotMatch(args, /attn/, `${v}: eager is 0.7's default (--flash_attn opts in)`);
  }
});

test("γ > 0 is an error wherever the ptx loss does not exist, unless --drop-ptx", () => {
  for (const [to, v] of [["trl", undefined], ["openrlhf", "0.11.0"]] as const) {
    const r = compileExport(fixtureInput({ ptx: 27.8 }), opts({ to, targetVersion: v }));
    const d = r.diagnostics.find((x) => x.code === "AL4603");
    assert.equal(d?.severity, "error", `${to} ${v}`);
    assert.match(d!.hint!, /0\.7\.0\.post1/);
    const dropped = compileExport(fixtureInput({ ptx: 27.8 }), opts({ to, targetVersion: v, dropPtx: true }));
    assert.ok(!dropped.diagnostics.some((x) => x.severity === "error"));
    assert.match(file(dropped, "EXPORT.md")!, /ptx term is dropped/);
  }
  // γ = 0 needs no flag
  assert.ok(!compileExport(fixtureInput({ ptx: 0 }), opts({ to: "trl" })).diagnostics.some((x) => x.severity === "error"));
});

test("OpenRLHF 0.7.0.post1 maps γ to --ptx_coef with --pretrain_data rows, never to --gamma", () => {
  const r = compileExport(fixtureInput({ ptx: 27.8 }), opts({ to: "openrlhf", targetVersion: "0.7.0.post1" }));
  assert.ok(!r.diagnostics.some((x) => x.severity === "error"));
  const args = file(r, "configs/policy.args")!.split("\n");
  assert.equal(args[args.indexOf("--ptx_coef") + 1], "27.8");
  assert.equal(args[args.indexOf("--pretrain_data") + 1], "./data/policy-ptx/train.jsonl"); // PPO names the folder's paths as ./… (the launch script makes them absolute)
  assert.notEqual(args[args.indexOf("--gamma") + 1], "27.8");
  const ptx = file(r, "data/policy-ptx/train.jsonl")!.trim().split("\n").map((l) => JSON.parse(l) as { prompt: string });
  assert.equal(ptx.length, 32);
  assert.equal(ptx[0]!.prompt, "User: say 0\nAssistant: 0\n");
});

test("OpenRLHF 0.7.0.post1's ptx note says what differs for the ptx kind: SFT examples (response tokens) or text (train(pre): lines, not windows)", () => {
  const sft = file(compileExport(fixtureInput({ ptx: 0.2 }), opts({ to: "openrlhf", targetVersion: "0.7.0.post1" })), "EXPORT.md")!;
  assert.match(sft, /alignc's on the response tokens of SFT examples/);
  const input = fixtureInput({ ptx: 0.2 });
  const policy = input.stages.find((st) => st.kind === "ppo")!;
  policy.ptx = { name: "policy-ptx", data: { kind: "text", train: ["The boy holds the book.", "A fox is an animal."], test: [] } };
  const r = compileExport(input, opts({ to: "openrlhf", targetVersion: "0.7.0.post1" }));
  const md = file(r, "EXPORT.md")!;
  assert.doesNotMatch(md, /response tokens of SFT examples/);
  assert.match(md, /takes each line of the text as a row .*alignc packed the lines into windows of max_length/);
  assert.deepEqual(file(r, "data/policy-ptx/train.jsonl")!.trim().split("\n").map((l) => (JSON.parse(l) as { prompt: string }).prompt), ["The boy holds the book.", "A fox is an animal."]);
});

test("K-way rankings become C(K,2) pair rows per prompt, and the loss is stated", () => {
  for (const k of [2, 4, 6]) {
    const r = compileExport(fixtureInput({ k, without: ["policy"] }), opts({ to: "trl" }));
    const rows = file(r, "data/rm/train.jsonl")!.trim().split("\n");
    assert.equal(rows.length, 8 * ((k * (k - 1)) / 2));
    const warned = r.diagnostics.find((d) => d.code === "AL4608");
    if (k > 2) {
      assert.ok(warned && /1\/C\(K,2\)/.test(warned.message) && /K forward passes|alignc's K/.test(warned.message));
      assert.match(file(r, "EXPORT.md")!, /become \d+ independent pair rows/);
    } else assert.equal(warned, undefined);
  }
});

test("ties give no pair; `pairs = adjacent` keeps neighbouring rank levels only", () => {
  const g = { id: "g", prompt: "p", responses: ["a", "b", "c", "d"], pairs: [[0, 2], [0, 3], [1, 2], [1, 3], [2, 3]] as [number, number][], ranks: [0, 0, 1, 2], meta: { source: "s" } };
  assert.equal(groupPairs(g, "all").length, 5);
  assert.deepEqual(groupPairs(g, "adjacent"), [[0, 2], [1, 2], [2, 3]]);
});

test("`pairs = adjacent`: the training rows hold neighbouring rank levels, the held-out rows every pair, as alignc's held-out accuracy scores them (export37)", () => {
  const input = fixtureInput({ k: 4, without: ["policy"] });
  const rm = input.stages.find((x) => x.name === "rm")!;
  rm.hp = withHP(rm.hp, { pairs: "adjacent" });
  const r = compileExport(input, opts({ to: "trl" }));
  assert.equal(file(r, "data/rm/train.jsonl")!.trim().split("\n").length, 8 * 3, "8 groups of 4 strictly ranked: 3 adjacent pairs each");
  assert.equal(file(r, "data/rm/test.jsonl")!.trim().split("\n").length, 6, "the held-out group: all C(4,2)");
  assert.match(file(r, "EXPORT.md")!, /held-out rows hold every pair/);
});

test("TRL reward export counts pairs longer than max_length and warns", () => {
  const count = { count: (s: string) => s.length, name: "chars" };
  const r = compileExport(fixtureInput({ without: ["policy"] }), opts({ to: "trl" }), count);
  assert.equal(r.diagnostics.find((x) => x.code === "AL4605"), undefined, "fixture pairs fit max_length 64");
  const tight = fixtureInput({ without: ["policy"] });
  const rm = tight.stages.find((s) => s.name === "rm")!;
  rm.hp.max_length = 40; // prompt 28 chars + completion 11 + EOS = 40: fits exactly
  if (rm.data.kind !== "comparisons") throw new Error("fixture");
  rm.data.train[0]!.completions[3] = "a much longer answer\n"; // response 3 of prompt 0 is in 3 of its 6 pairs
  const r2 = compileExport(tight, opts({ to: "trl" }), count);
  const d2 = r2.diagnostics.find((x) => x.code === "AL4605");
  assert.equal(d2?.severity, "warning");
  assert.match(d2!.message, /^stage `rm`: 3 of 48 rows: TRL's reward trainer drops pairs longer than max_length = 40/);
  // OpenRLHF's reward model truncates instead: no warning there
  assert.equal(compileExport(tight, opts({ to: "openrlhf" }), count).diagnostics.find((x) => x.code === "AL4605"), undefined);
});

// gpt2 has 1,024 positions: a config with max_length 4,096 exported cleanly and failed in the target on
// the first longer sequence (audit 32: 20 of 430 reward-model pairs of the OASST slice). Each stage is
// held to its own lineage's model (review 32: the first stage's model judged them all), and TRL's PPO,
// which is given no max_length, to its prompts plus max_new_tokens
test("a stage whose max_length passes its model's positions is AL4612 for every target, its longer rows counted; nothing written", () => {
  const count = (s: string) => s.length;
  for (const to of ["trl", "openrlhf", "axolotl"] as const) {
    const input = fixtureInput({ without: ["policy"] });
    input.positionTokens = { count, name: "chars" };
    for (const s of input.stages) if (s.name !== "sft") s.positions = { hf: "gpt2", n: 40 }; // sft from a model alignc knows no positions of
    const r = compileExport(input, opts({ to }), { count, name: "chars" });
    const ds = r.diagnostics.filter((x) => x.code === "AL4612");
    assert.deepEqual(ds.map((d) => [d.severity, /^stage `(\w+)`/.exec(d.message)?.[1]]), input.stages.filter((s) => s.name !== "sft" && s.hp.max_length > 40).map((s) => ["error", s.name]), to);
    assert.ok(ds.length > 0, "the fixture's stages allow 64 tokens");
    assert.match(ds.find((d) => /stage `rm`/.test(d.message))!.message, /starts from gpt2: max_length 64 is longer than its 40 positions[^;]*; \d+ of its 48 training pairs are too long \(chars\)/);
    assert.deepEqual(r.files, [], `${to}: nothing half-written`);
    for (const s of input.stages) if (s.positions) s.positions.n = 64;
    assert.equal(compileExport(input, opts({ to }), { count, name: "chars" }).diagnostics.find((x) => x.code === "AL4612"), undefined, "max_length = positions fits");
  }
});

test("TRL's PPO, given no max_length, is held to its prompts plus max_new_tokens; OpenRLHF's to max_length", () => {
  const count = (s: string) => s.length;
  const input = fixtureInput();
  input.positionTokens = { count, name: "chars" };
  const policy = input.stages.find((s) => s.kind === "ppo")!;
  if (policy.data.kind !== "prompts") throw new Error("fixture");
  const longest = Math.max(...policy.data.train.map(count));
  policy.positions = { hf: "gpt2", n: longest + 4 }; // room for 4 new tokens after the longest prompt
  policy.hp.max_length = longest + 1000;
  const ppoIssue = (to: "trl" | "openrlhf") => compileExport(input, opts({ to, dropPtx: true }), { count, name: "chars" }).diagnostics.find((d) => d.code === "AL4612" && /stage `policy`/.test(d.message));
  const newTokens = (policy.hp as unknown as { max_new_tokens: number }).max_new_tokens;
  assert.ok(newTokens > 4, "the fixture generates more than 4 tokens");
  assert.match(ppoIssue("trl")!.message, /prompts leave fewer than max_new_tokens = \d+ of its \d+ positions \(TRL keeps every prompt whole\)/);
  assert.match(ppoIssue("openrlhf")!.message, /max_length \d+ is longer than its \d+ positions: OpenRLHF's vLLM would refuse to start \(its max_model_len, the prompt length plus max_new_tokens, past the model's \d+ positions\)/);
  policy.positions.n = longest + newTokens;
  assert.equal(ppoIssue("trl"), undefined, "every prompt leaves room for max_new_tokens: TRL fits, whatever max_length says");
  assert.ok(ppoIssue("openrlhf"), "OpenRLHF is given max_length");
});

test("OpenRLHF SFT export counts examples whose prompt reaches max_len − 2", () => {
  const input = fixtureInput({ without: ["policy"] });
  input.stages.find((s) => s.name === "sft")!.hp.max_length = 20; // "User: say 9\nAssistant:" is 22 chars (the space starts the completion), "…say 10…" 23
  const r = compileExport(input, opts({ to: "openrlhf" }), { count: (s) => s.length, name: "chars" });
  const d = r.diagnostics.find((x) => x.code === "AL4605");
  assert.match(d!.message, /^stage `sft`: 32 of 32 rows: OpenRLHF's SFT dataset drops examples whose prompt reaches max_len − 2 = 18 tokens/);
});

test("Axolotl DPO export counts pairs whose prompt + response + EOS exceeds sequence_len, and warns", () => {
  const count = { count: (s: string) => s.length, name: "chars" };
  // the fixture's DPO pairs: prompt "User: question i\nAssistant:" (27 chars), responses " answer i.j\n" (12: the space starts them)
  // the first 4 pairs (questions 0 to 3: longer numbers make longer prompts)
  const firstFour = (input: ReturnType<typeof fixtureInput>) => {
    const dpo = input.stages.find((s) => s.name === "dpo")!;
    if (dpo.data.kind !== "comparisons") throw new Error("fixture");
    dpo.data = { ...dpo.data, train: dpo.data.train.slice(0, 4) };
    return input;
  };
  const fits = firstFour(fixtureInput({ without: ["policy"] }));
  fits.stages.find((s) => s.name === "dpo")!.hp.max_length = 40; // 27 + 12 + EOS = 40: every pair fits exactly
  const r = compileExport(fits, opts({ to: "axolotl" }), count);
  assert.equal(r.diagnostics.find((x) => x.code === "AL4605"), undefined, "no pair exceeds sequence_len 40");
  assert.doesNotMatch(file(r, "EXPORT.md")!, /Axolotl drops DPO pairs/);
  const tight = firstFour(fixtureInput({ without: ["policy"] }));
  const dpo = tight.stages.find((s) => s.name === "dpo")!;
  dpo.hp.max_length = 40;
  if (dpo.data.kind !== "comparisons") throw new Error("fixture");
  dpo.data.train[1]!.completions[0] = "answer 1.0!\n"; // chosen of pair 1 one char over: 27 + 13 + 1 = 41
  dpo.data.train[3]!.completions[1] = "a much longer answer\n"; // rejected of pair 3
  const r2 = compileExport(tight, opts({ to: "axolotl" }), count);
  const d = r2.diagnostics.find((x) => x.code === "AL4605");
  assert.equal(d?.severity, "warning");
  assert.equal(d!.span?.line, 3, "located at the stage");
  assert.match(d!.message, /^stage `dpo`: 2 of 4 rows: Axolotl drops DPO pairs whose prompt \+ chosen or prompt \+ rejected \(response \+ EOS\) exceeds sequence_len = 40 tokens \(counted with the tokenizer chars; alignc truncates instead\)$/);
  assert.match(file(r2, "EXPORT.md")!, /2 of 4 rows: Axolotl drops DPO pairs/);
  // without a tokenizer the rule is still said, uncounted
  assert.match(file(compileExport(tight, opts({ to: "axolotl" })), "EXPORT.md")!, /Axolotl drops DPO pairs .*no tokenizer was available/);
  // Axolotl cuts reward-model and SFT rows instead of dropping them: nothing counted there
  const cut = fixtureInput({ without: ["policy", "dpo"] });
  for (const st of cut.stages) st.hp.max_length = 10;
  const r3 = compileExport(cut, opts({ to: "axolotl" }), count);
  assert.equal(r3.diagnostics.find((x) => x.code === "AL4605"), undefined);
  assert.match(file(r3, "EXPORT.md")!, /bradley_terry\.chat_template keeps the first sequence_len tokens/);
});

test("SFT rows split alignc's formatted text at the response, the whitespace before it starting the completion (a token boundary)", () => {
  const input = fixtureInput();
  const sft = input.stages.find((s) => s.name === "sft")!;
  if (sft.data.kind !== "sft") throw new Error("fixture");
  for (const ex of sft.data.train) {
    const { prompt, completion } = splitSFT(ex);
    assert.equal(prompt + completion, ex.text);
    assert.equal(prompt, ex.text.slice(0, ex.responseSpan[0]).trimEnd());
    assert.ok(completion.trimStart().startsWith(ex.response));
  }
  const r = compileExport(input, opts({ to: "trl", dropPtx: true }));
  const first = JSON.parse(file(r, "data/sft/train.jsonl")!.split("\n")[0]!) as { prompt: string; completion: string };
  assert.deepEqual(first, { prompt: "User: say 0\nAssistant:", completion: " 0\n" });
});

test("Axolotl's concatenating chat template renders alignc's text plus EOS", () => {
  const r = compileExport(fixtureInput({ without: ["policy"] }), opts({ to: "axolotl" }));
  const row = JSON.parse(file(r, "data/sft/train.jsonl")!.split("\n")[0]!) as { messages: { role: string; content: string }[] };
  const text = new Template(AXOLOTL_CONCAT_JINJA).render({ messages: row.messages, eos_token: "</s>" });
  assert.equal(text, "User: say 0\nAssistant: 0\n</s>");
  const rm = JSON.parse(file(r, "data/rm/train.jsonl")!.split("\n")[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(rm), ["system", "input", "chosen", "rejected"]);
  assert.equal(rm.system, "");
});

test("EXPORT.md lists the stages in plan order, every file, and the approximations", () => {
  const r = compileExport(fixtureInput({ without: ["policy"] }), opts({ to: "openrlhf", nodes: 2 }));
  const md = file(r, "EXPORT.md")!;
  const order = ["pre", "sft", "rm", "dpo"].map((s) => md.indexOf(`**\`${s}\`**`));
  assert.ok(order.every((x, i) => x > 0 && (i === 0 || x > order[i - 1]!)), `order ${order}`);
  for (const f of r.files) assert.ok(md.includes(`| \`${f.path}\` |`), `EXPORT.md misses ${f.path}`);
  assert.match(md, /## Approximations\n\n- /);
  assert.match(md, /`judge` \(win_rate\)/);
});

test("trimmed fixtures keep the first rows and the full counts", () => {
  const r = compileExport(fixtureInput({ without: ["policy"] }), opts({ to: "trl", trimRows: 3 }));
  assert.equal(file(r, "data/rm/train.jsonl")!.trim().split("\n").length, 3);
  assert.match(file(r, "EXPORT.md")!, /48 rows/);
});

test("unknown versions and bad cluster sizes are errors", () => {
  assert.equal(compileExport(fixtureInput(), opts({ to: "openrlhf", targetVersion: "0.8.0" })).diagnostics[0]?.code, "AL4606");
  assert.equal(compileExport(fixtureInput(), opts({ nodes: 0 })).diagnostics[0]?.code, "AL4606");
});


// alignc's DPO batches pairs (train/stages/dpo.ts), as the targets do: its batch is exported as it is,
// with no K-way note. It was exported as the reward model's (prompts × their mean pairs: 6× the pairs
// per step here, 11.75× on the bundled rankings), and described with the reward model's loss.
test("a DPO stage on K-way rankings keeps its batch of pairs on the target, and gets no reward-model loss note", () => {
  const input = fixtureInput({ k: 4, without: ["policy"] });
  const rm = input.stages.find((s) => s.name === "rm")!;
  const dpo = input.stages.find((s) => s.name === "dpo")!;
  dpo.data = rm.data; // 8 prompts × C(4,2) = 48 pairs
  const r = compileExport(input, opts({ to: "trl", gpusPerNode: 1 }));
  const yaml = file(r, "configs/dpo.yaml")!;
  const num = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, "m").exec(yaml)?.[1]);
  assert.equal(num("per_device_train_batch_size") * num("gradient_accumulation_steps"), dpo.hp.batch_size * dpo.hp.accumulate, yaml);
  assert.equal(num("max_steps"), dpo.hp.steps, "the same steps: the same pairs");
  assert.deepEqual(r.diagnostics.filter((d) => d.code === "AL4608").map((d) => d.message.slice(0, 12)), ["stage `rm`: "], "the K-way note is the reward model's only");
  assert.doesNotMatch(file(r, "EXPORT.md")!, /stage `dpo`[^\n]*counts prompts with all their pairs/);
});

// OpenRLHF 0.7.0.post1's train_ppo_ray asserts rollout_batch_size % actor GPUs == 0 (audit35 H1): the
// README's own example (4 nodes × 8 GPUs, 16 prompts per rollout) wrote a job that stopped at start
test("OpenRLHF 0.7.0.post1: PPO whose prompts per rollout the GPUs do not divide is refused, naming the GPU counts that work", () => {
  const input = fixtureInput();
  const ppo = input.stages.find((s) => s.kind === "ppo")!;
  ppo.hp = { ...ppo.hp, batch_size: 64, samples_per_prompt: 4 }; // the quickstart's: 16 prompts × 4 samples
  const prompts = ppo.hp.batch_size / ppoHP(ppo).samples_per_prompt;
  const refused = compileExport(input, opts({ to: "openrlhf", targetVersion: "0.7.0.post1", nodes: 1, gpusPerNode: prompts * 2 }));
  const d = refused.diagnostics.find((x) => x.code === "AL4613");
  assert.ok(d && d.severity === "error", JSON.stringify(refused.diagnostics));
  assert.match(d.message, new RegExp(`rolls out ${prompts} prompts`));
  assert.match(d.hint ?? "", new RegExp(`export for 1, .*${prompts} GPUs`));
  assert.equal(refused.files.length, 0);
  for (const gpus of [1, prompts]) assert.ok(!compileExport(input, opts({ to: "openrlhf", targetVersion: "0.7.0.post1", nodes: 1, gpusPerNode: gpus })).diagnostics.some((x) => x.code === "AL4613"), `${gpus} GPUs`);
  // 0.11's trainer was not read to have the check: not refused there
  assert.ok(!compileExport(input, opts({ to: "openrlhf", targetVersion: "0.11.0", nodes: 1, gpusPerNode: prompts * 2, dropPtx: true })).diagnostics.some((x) => x.code === "AL4613"));
});

// The configs split each batch over the export's nodes × GPUs: launch/1node.sh beside a 2-node export ran
// them on one node, at half the plan's global batch with the same steps (audit35 H2). One script now, for
// the cluster the configs are sized for; EXPORT.md names only it.
test("an export writes the one launch script of its cluster: 1node.sh for --nodes 1, nnodes.sh for more, and TRL's accelerate configs for that cluster only", () => {
  for (const to of ["trl", "openrlhf", "axolotl"] as const)
    for (const nodes of [1, 2]) {
      const r = compileExport(fixtureInput({ without: to === "axolotl" ? ["policy"] : [] }), opts({ to, nodes, dropPtx: true }));
      const script = nodes === 1 ? "launch/1node.sh" : "launch/nnodes.sh";
      const other = nodes === 1 ? "launch/nnodes.sh" : "launch/1node.sh";
      assert.deepEqual(r.files.filter((f) => f.path.startsWith("launch/")).map((f) => f.path), [script], `${to} × ${nodes}`);
      const md = file(r, "EXPORT.md")!;
      assert.ok(md.includes(`bash ${script}`) && !md.includes(other), `${to} × ${nodes}: EXPORT.md runs ${script} only`);
      const text = file(r, script)!;
      if (to === "trl") {
        // the cluster's, and PPO's own (its gradient clipping): each for the export's nodes × GPUs
        const cluster = nodes === 1 ? "accelerate/zero3-1node" : "accelerate/zero3-2nodes";
        const accs = r.files.filter((f) => f.path.startsWith("accelerate/"));
        // every stage at one grad_clip: one config for all (PPO's own only where its clip differs)
        assert.deepEqual(accs.map((f) => f.path), [`${cluster}.yaml`]);
        for (const acc of accs) assert.match(acc.content, new RegExp(`^num_processes: ${nodes * 8}$`, "m"), "the accelerate config runs every GPU the configs split the batch over");
        assert.ok(text.split("\n").filter((l) => /^(trl|accelerate) /.test(l)).every((l) => accs.some((a) => l.includes(a.path))), text);
      } else if (nodes > 1) assert.match(text, /--nnodes 2 /, `${to}: every stage on both nodes`);
      else assert.doesNotMatch(text, /--nnodes|NODE_RANK/, `${to}: one node`);
    }
});

/** The fixture's PPO stage with `over` applied, for TRL's PPO tests; `prompts` rollout prompts. */
function trlPpo(over: HPOverride, prompts = 120) {
  const input = fixtureInput({ ptx: 0 });
  const ppo = input.stages.find((s) => s.kind === "ppo")!;
  ppo.hp = withHP(ppo.hp, over);
  ppo.data = { kind: "prompts", train: Array.from({ length: prompts }, (_, i) => `User: q${i}\nAssistant: `), test: [] };
  return input;
}
const argOf = (args: string, flag: string) => {
  const lines = args.split("\n");
  return lines.includes(flag) ? lines[lines.indexOf(flag) + 1] : undefined;
};

// TRL's PPO loop calls no clip_grad_norm_ and never reads max_grad_norm (audit35 M2): its clip is DeepSpeed's
// gradient_clipping, which accelerate fills with its own value unless the accelerate config names one
test("TRL's PPO stage runs with its own accelerate config, DeepSpeed's gradient_clipping at the stage's grad_clip (0 = none); the other stages keep the cluster's", () => {
  for (const clip of [0.5, 0]) {
    const r = compileExport(trlPpo({ grad_clip: clip }), opts({ to: "trl", nodes: 2 }));
    const acc = file(r, "accelerate/zero3-2nodes-policy.yaml")!;
    assert.match(acc, new RegExp(`^  gradient_clipping: ${clip}$`, "m"), acc);
    assert.match(acc, /^num_processes: 16$/m);
    // the HF Trainer stages' clip is DeepSpeed's too: written at their grad_clip (huntF40 F2: left out, none)
    assert.match(file(r, "accelerate/zero3-2nodes.yaml")!, /^  gradient_clipping: 1$/m, "the HF Trainer stages' grad_clip (1)");
    const script = file(r, "launch/nnodes.sh")!;
    assert.match(script, /accelerate launch --config_file accelerate\/zero3-2nodes-policy\.yaml .*trl\.experimental\.ppo\.ppo/);
    assert.match(script, /trl sft --config configs\/sft\.yaml --accelerate_config accelerate\/zero3-2nodes\.yaml /);
    const note = r.approximations.find((a) => a.stage === "policy" && a.text.startsWith("grad_clip:"));
    if (clip > 0) assert.match(note?.text ?? "", /never clips gradients itself.*gradient_clipping = 0\.5.*policy and the value model together/);
    else assert.equal(note, undefined, "no clipping on either side");
  }
});

// under ZeRO-3 the HF Trainer leaves clipping to DeepSpeed and fills its gradient_clipping from max_grad_norm only
// where it says "auto", which some accelerate versions write and others leave out (then DeepSpeed clips nothing)
test("TRL: every stage's accelerate config holds DeepSpeed's gradient_clipping at its grad_clip: the cluster's the value most stages share, a stage with another its own file", () => {
  const input = fixtureInput({ without: ["policy"] });
  const rm = input.stages.find((s) => s.name === "rm")!;
  rm.hp = { ...rm.hp, grad_clip: 0.25 } as typeof rm.hp;
  const r = compileExport(input, opts({ to: "trl" }));
  assert.match(file(r, "accelerate/zero3-1node.yaml")!, /^  gradient_clipping: 1$/m);
  assert.match(file(r, "accelerate/zero3-1node-rm.yaml")!, /^  gradient_clipping: 0\.25$/m);
  assert.equal(file(r, "accelerate/zero3-1node-sft.yaml"), undefined, "a stage at the shared value has no file of its own");
  const script = file(r, "launch/1node.sh")!;
  assert.match(script, /trl reward --config configs\/rm\.yaml --accelerate_config accelerate\/zero3-1node-rm\.yaml/);
  assert.match(script, /trl sft --config configs\/sft\.yaml --accelerate_config accelerate\/zero3-1node\.yaml/);
  for (const s of ["sft", "rm", "dpo"]) {
    const want = s === "rm" ? "0.25" : "1";
    assert.match(file(r, `configs/${s}.yaml`)!, new RegExp(`^max_grad_norm: ${want.replace(".", "\\.")}$`, "m"), `${s}: max_grad_norm equals DeepSpeed's value (transformers refuses one that differs)`);
  }
});

// DPO batches pairs in alignc as on the targets: where the GPUs do not divide its batch, the target's batch and
// steps differ, and every target says so (huntF40 F1: 12 pairs on 8 GPUs became 16 and 100 steps 75, unsaid)
test("a DPO batch the GPUs cannot split is said on every target, in pairs, with the steps that keep alignc's pairs", () => {
  const input = fixtureInput({ without: ["policy"] });
  const dpo = input.stages.find((s) => s.name === "dpo")!;
  dpo.hp = { ...dpo.hp, steps: 100, epochs: null, batch_size: 12, accumulate: 1 } as typeof dpo.hp;
  for (const to of ["trl", "axolotl", "openrlhf"] as const) {
    const r = compileExport(input, opts({ to }));
    const note = r.approximations.find((a) => a.stage === "dpo" && /cannot be split/.test(a.text));
    assert.ok(note, `${to}: ${JSON.stringify(r.approximations.filter((a) => a.stage === "dpo"))}`);
    assert.match(note.text, /^batch_size: 12 pairs per step cannot be split over 8 GPUs; the target's global batch is 16/);
    assert.match(note.text, to === "openrlhf" ? /alignc's 1200 pairs are 75 steps there \(alignc: 100\)/ : /75 steps \(alignc: 100\) keep alignc's 1200 pairs/);
  }
});

// TRL's PPO draws a prompt per rollout: steps × batch_size draws, samples_per_prompt times alignc's (audit35 M4);
// the quickstart's numbers: 40 steps × 64 rollouts of 16 prompts × 4 samples, 914 prompts (the script trains on 814)
test("TRL's samples_per_prompt note counts the prompt draws: steps × batch_size against alignc's steps × batch_size ÷ samples_per_prompt", () => {
  const r = compileExport(trlPpo({ steps: 40, batch_size: 64, samples_per_prompt: 4 }, 914), opts({ to: "trl" }));
  const note = r.approximations.find((a) => a.stage === "policy" && a.text.startsWith("samples_per_prompt:"))!;
  assert.match(note.text, /draws a fresh prompt for every rollout: steps × batch_size = 2560 prompt draws, 3\.1 passes over the 814 prompts it trains on/);
  assert.match(note.text, /alignc drew steps × batch_size ÷ samples_per_prompt = 640 prompts, 0\.7 passes over its 914, and sampled each 4 times/);
});

// transformers 4.x reports to every installed tracker by default (wandb may ask for a login in a batch job); the
// other stages' configs said none, PPO's args did not (audit35 M5)
test("TRL's PPO args report to no tracker, as the other stages' configs do", () => {
  const r = compileExport(trlPpo({}), opts({ to: "trl" }));
  assert.equal(argOf(file(r, "configs/policy.args")!, "--report_to"), "none");
  for (const s of ["pre", "sft", "rm", "dpo"]) assert.match(file(r, `configs/${s}.yaml`)!, /^report_to: none$/m, s);
});

// TRL's PPO steps its scheduler once per rollout batch of the target's global batch: where that is not alignc's,
// warmup and the logging/save intervals scale with the batches, as the other stages' do (audit35 L1)
test("TRL's PPO where the GPUs cannot keep the batch (4 rollouts on 8 GPUs: 8): warmup_steps and the intervals count the target's rollout batches", () => {
  const r = compileExport(trlPpo({ steps: 40, batch_size: 4, warmup: 10, log_every: 4, checkpoint_every: 20 }), opts({ to: "trl" }));
  const args = file(r, "configs/policy.args")!;
  const n = (flag: string) => Number(argOf(args, flag));
  assert.equal(n("--total_episodes"), 160);
  assert.equal(n("--per_device_train_batch_size") * n("--gradient_accumulation_steps") * 8, 8, "a global batch of 8: 20 rollout batches for alignc's 40 steps");
  assert.deepEqual([n("--warmup_steps"), n("--logging_steps"), n("--save_steps")], [5, 2, 10]);
});

// TRL's reward trainer pads with EOS where the tokenizer has no pad token (GPT-2), so the classifier read the
// score at the last response token, while TRL's PPO reads the reward at the EOS after it (audit35 H3)
test("TRL's reward model of a GPT-2-family model pads with a vocabulary token that is not EOS, so it scores at the EOS where PPO reads; elsewhere the PPO stage notes the readout", async () => {
  const tok = await gpt2();
  const [id] = tok.encode(GPT2_REWARD_PAD);
  assert.deepEqual(tok.encode(GPT2_REWARD_PAD), [id], "one GPT-2 token, which RewardConfig.pad_token requires");
  assert.notEqual(id, tok.eos);
  const gpt = fixtureInput({ ptx: 0 });
  for (const s of gpt.stages) s.positions = { hf: "gpt2", n: 1024 };
  const r = compileExport(gpt, opts({ to: "trl" }));
  assert.match(file(r, "configs/rm.yaml")!, new RegExp(`^pad_token: ${GPT2_REWARD_PAD}$`, "m"));
  for (const s of ["pre", "sft", "dpo"]) assert.doesNotMatch(file(r, `configs/${s}.yaml`)!, /pad_token/, s);
  assert.equal(r.approximations.find((a) => a.text.startsWith("reward:")), undefined);
  // a model alignc knows no tokenizer of: no pad token written, and the PPO stage says what may differ
  const other = compileExport(fixtureInput({ ptx: 0 }), opts({ to: "trl" }));
  assert.doesNotMatch(file(other, "configs/rm.yaml")!, /pad_token/);
  const note = other.approximations.find((a) => a.stage === "policy" && a.text.startsWith("reward:"));
  assert.match(note?.text ?? "", /pads with EOS, the reward model's sequence classifier reads its score at the last response token .* while TRL's PPO reads the reward at the EOS after the response/);
});

// Axolotl 0.18 gives a pad token only to Llama-type and GPT-NeoX tokenizers: a GPT-2 run stopped at its first
// padded batch (audit35 M1)
test("Axolotl: a GPT-2-family model's stages pad with <|endoftext|>, its reward model with a token that is not EOS (special_tokens, in Axolotl's schema); other models keep their tokenizer's", () => {
  const gpt = fixtureInput({ without: ["policy"] });
  for (const s of gpt.stages) s.positions = { hf: "gpt2", n: 1024 };
  const r = compileExport(gpt, opts({ to: "axolotl" }));
  for (const s of ["pre", "sft", "dpo"]) assert.match(file(r, `configs/${s}.yaml`)!, /^special_tokens:\n {2}pad_token: <\|endoftext\|>$/m, s);
  // the reward model pads with a token that is not EOS, so its classifier reads the score at the appended EOS (review35 M3)
  assert.match(file(r, "configs/rm.yaml")!, /^special_tokens:\n {2}pad_token: PsyNetMessage$/m);
  if (schemasAvailable()) for (const [path, errors] of validateExport(r.files, loadSurfaces())) assert.deepEqual(errors, [], path);
  const other = compileExport(fixtureInput({ without: ["policy"] }), opts({ to: "axolotl" }));
  for (const s of ["pre", "sft", "rm", "dpo"]) assert.doesNotMatch(file(other, `configs/${s}.yaml`)!, /special_tokens/, s);
});

test("a stage given in epochs is scored on alignc's cadence counted in the target's steps (it got checkpoint_every, 100: a 25-step stage was never scored; review38 M3)", () => {
  const input = fixtureInput({ without: ["policy", "rm", "dpo"] });
  const sft = input.stages.find((s) => s.name === "sft")!;
  sft.hp = { ...sft.hp, steps: null, epochs: 1, batch_size: 4, accumulate: 1, log_every: 2, checkpoint_every: 100 } as typeof sft.hp;
  sft.data = { ...sft.data, train: Array.from({ length: 100 }, (_, i) => (sft.data.train as unknown[])[i % sft.data.train.length]) } as typeof sft.data;
  const yaml = file(compileExport(input, opts({ to: "trl", nodes: 1, gpusPerNode: 1 })), "configs/sft.yaml")!;
  // 100 rows at a global batch of 4: 25 steps; every max(log_every 2, ⌈25 / 10⌉ = 3) = 3
  assert.match(yaml, /^eval_steps: 3$/m);
});

// huntF40 F4, F5, F7: what differs is said, and said as it is
test("a warmup is noted on every target (its first step at lr 0, alignc's at lr / warmup); TRL's PPO logs every batch whatever logging_steps; passes below one and the KL budget are worded as they are", () => {
  const input = trlPpo({ warmup: 2, log_every: 5, kl_budget: 40, steps: 10, batch_size: 4, samples_per_prompt: 4 }, 814);
  for (const to of ["trl", "openrlhf"] as const) {
    const r = compileExport(input, opts({ to }));
    const notes = r.approximations.filter((a) => a.stage === "policy").map((a) => a.text);
    assert.ok(notes.some((t) => /^warmup: the target's warmup scales the learning rate by step \/ warmup from step 0/.test(t)), `${to}: ${notes.join("\n")}`);
    assert.ok(notes.some((t) => /alignc stops PPO once its KL passes 40 nats, (TRL|OpenRLHF) trains every step/.test(t)), to);
    if (to === "trl") {
      assert.ok(notes.includes("log_every: TRL's PPO loop logs every rollout batch; logging_steps is written but not read there"));
      assert.ok(notes.some((t) => /40 prompt draws, 0\.056 passes over the 714 prompts it trains on.*10 prompts, 0\.012 passes over its 814/.test(t)), notes.join("\n"));
    }
  }
});
