// The `samples(stage)` source: K responses drawn from a trained stage for each of the first n prompts of
// its `prompts`, written as candidate sets to `candidates.jsonl` in the node's cache entry, which
// `alignc label` serves. Drawn once: the node is cached by its hash (the stage's hash, the prompts, k,
// n, the sampling settings, the seed), and the sampling stream is seeded from its seed key (that hash
// with a fixed engine, src/data/plan-input.ts), so the same plan draws the same sets on any alignc.
// The prompts are built here (no TensorFlow.js); the draw loads the engine.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatFormat, PromptResponse, Tokenizer } from "../../data/types.js";
import { paramsOf, refOf } from "../../plan/params.js";
import { Rng } from "../../common/rng.js";
import type { Plan, PlanNode } from "../../plan/types.js";
import type { NodeContext, NodeHandler, NodeResult } from "../handler.js";
import { dataPlanFromPlan, promptsOf } from "../../data/build.js";
import { keyOf } from "../../data/plan-input.js";
import { CANDIDATES_FILE, drawPrompts, rankedPrompts, registerDraw } from "../../data/build-samples.js";
import { ancestors } from "../../common/graph.js";
import { contextOf, evalFormat, memoPerNode, nodeById, tokenizerFor, type HandlerEnv } from "./env.js";
import { askedIds } from "./tokens.js";
import { heldRecord } from "../storage/entry-file.js";

/** The candidate sets in a samples node's cache entry: one JSON object a line (see CandidateRow). */
export { CANDIDATES_FILE };

/** A prompt whose K draws repeat themselves (or come out empty) is drawn again this many times, then left out. */
const REDRAWS = 3;

/** One line of candidates.jsonl. */
export interface CandidateRow {
  id: string; // sha256 of [samples node hash, prompt, responses]: the set of this draw
  prompt: string;
  responses: string[];
  model: string; // hash of the stage node whose weights wrote the responses
  answer?: string; // the prompt's reference response in its source (the demo's rule labeler reads it)
  system?: string; // the system text the prompt was asked with (its source's `system`)
  task?: string;
  category?: string;
}

interface SamplesData {
  stage: string;
  items: PromptResponse[];
  ids: number[][]; // prompt tokens as the stage's chat format presents them
  tok: Tokenizer;
  fmt: ChatFormat;
}

const samplesData = memoPerNode(async (env: HandlerEnv, plan: Plan, node: PlanNode): Promise<SamplesData> => {
  const p = paramsOf(node, "source.samples");
  const stage = refOf(p.stage);
  if (!stage) throw new Error(`${node.id}: names no stage to sample`);
  const tok = await tokenizerFor(env, plan, stage);
  const fmt = evalFormat(env, plan, stage, node); // the format the stage (or the nearest stage it starts from) trained with
  // the prompts come from the plan being run: the node's `prompts` chain
  const items = await drawPrompts(dataPlanFromPlan(plan, env.recipe), node, promptsOf);
  if (items.length === 0) throw new Error(`${node.id}: \`prompts\` holds no prompts`);
  return { stage, items, ids: askedIds(fmt, tok, items, contextOf(plan, nodeById(plan, stage)) - p.max_new_tokens), tok, fmt };
});

/** The prompts a samples node draws for (its first n), as built for the plan being run. */
export async function samplesPrompts(env: HandlerEnv, plan: Plan, node: PlanNode): Promise<PromptResponse[]> {
  return (await samplesData(env, plan, node)).items;
}

/** Candidate set id: the draw (node hash) and its content. */
export function drawnSetId(nodeHash: string, prompt: string, responses: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify([nodeHash, prompt, responses])).digest("hex");
}

async function draw(env: HandlerEnv, ctx: NodeContext): Promise<NodeResult> {
  await env.backend.ensure();
  const { FULL_DISTRIBUTION, generateAllAsync } = await import("./train-api.js");
  const { networkOf } = await import("./models.js");
  const { decodeResponse } = await import("./decode.js");
  const p = paramsOf(ctx.node, "source.samples");
  const d = await samplesData(env, ctx.plan, ctx.node);
  const stageOut = await ctx.input(d.stage);
  const model = await networkOf(env, ctx.plan, stageOut);
  const K = p.k;
  const responses: string[][] = d.items.map(() => []);
  try {
    // seeded by the node's seed key (its plan hash with a fixed engine, as every data draw is): the same
    // plan draws the same sets, and a new alignc version or engine epoch does not draw others
    const rng = new Rng(Number.parseInt(keyOf(dataPlanFromPlan(ctx.plan, env.recipe), ctx.node.id).slice(0, 8), 16));
    const bar = ctx.progress(d.items.length * K);
    for (let round = 0; round <= REDRAWS; round++) {
      const want = d.items.flatMap((_, i) => Array.from({ length: K - responses[i]!.length }, () => i));
      if (want.length === 0) break;
      const outs = await generateAllAsync(
        model,
        want.map((i) => d.ids[i]!),
        { maxNewTokens: p.max_new_tokens, temperature: p.temperature, topK: p.top_k, topP: FULL_DISTRIBUTION.topP, eos: d.tok.eos, pad: d.tok.pad, rng, batchSize: 32 },
      );
      outs.forEach((o, j) => {
        const got = responses[want[j]!]!;
        const text = decodeResponse(o, d.tok, d.fmt);
        // a set to rank holds K different, non-empty responses (a sample that says nothing is no candidate)
        if (text && !got.includes(text) && got.length < K) got.push(text);
      });
      bar.update(responses.reduce((s, r) => s + r.length, 0));
    }
    bar.done();
  } finally {
    model.dispose();
  }
  const rows: CandidateRow[] = [];
  d.items.forEach((x, i) => {
    const rs = responses[i]!;
    if (rs.length < K) return;
    const meta = x.meta as { task?: unknown; category?: unknown };
    rows.push({
      id: drawnSetId(ctx.node.hash, x.prompt, rs),
      prompt: x.prompt,
      responses: rs,
      model: stageOut.node.hash,
      ...(x.response.trim() ? { answer: x.response } : {}),
      ...(x.system ? { system: x.system } : {}),
      ...(typeof meta.task === "string" ? { task: meta.task } : {}),
      ...(typeof meta.category === "string" ? { category: meta.category } : {}),
    });
  });
  const dropped = d.items.length - rows.length;
  if (rows.length === 0) throw new Error(`${ctx.node.id}: no prompt gave ${K} different non-empty responses in ${REDRAWS + 1} draws; train \`${d.stage}\` longer, raise temperature or lower k`);
  if (dropped) ctx.info(`${ctx.node.id}: ${dropped} of ${d.items.length} prompts left out (fewer than ${K} different non-empty responses after ${REDRAWS + 1} draws)`);
  writeFileSync(join(ctx.outDir, CANDIDATES_FILE), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return { status: "done", summary: { sets: rows.length, k: K, dropped } };
}

/** `data.samples`: cached like a stage (its prompts are built in prepare(), before the run directory exists). */
export function samplesHandler(env: HandlerEnv): NodeHandler {
  return {
    storage: "cache",
    async prepare(ctx) {
      await samplesData(env, ctx.plan, ctx.node);
    },
    run: (ctx) => draw(env, ctx),
  };
}

/**
 * Hands the draws a stage or eval reads (through ranked samples, `samples(…) as rankings`) to the data
 * layer of the plan being run: each draw's candidates file in its cache entry. False while one is not
 * drawn yet (prepare() of a run that draws it first: the consumer builds its data when it runs); the
 * labeler and the prompts' reference answers are checked then already, before anything is drawn.
 */
export async function drawsReady(env: HandlerEnv, ctx: NodeContext): Promise<boolean> {
  const dp = dataPlanFromPlan(ctx.plan, env.recipe);
  let ready = true;
  for (const id of ancestors(ctx.plan.nodes, ctx.node.id)) {
    const n = nodeById(ctx.plan, id);
    if (n.kind !== "data" || n.op !== "rank") continue;
    await rankedPrompts(dp, n, promptsOf);
    const draw = refOf(n.params.draw);
    if (draw === null) throw new Error(`${n.id}: names no draw`);
    const out = await ctx.input(draw).catch(() => null); // a draw this run has not made yet
    if (out?.dir) registerDraw(dp, draw, join(out.dir, CANDIDATES_FILE), heldRecord(out.dir, CANDIDATES_FILE, out.files?.[CANDIDATES_FILE]));
    else ready = false;
  }
  return ready;
}
