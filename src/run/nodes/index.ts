// The handler table for real plans: data/tokenizer/model nodes live in memory (cheap, recomputed
// when needed); stages and evals are cached. The modules that load TensorFlow.js are imported on
// first use, so a run whose stages and evals are all cache hits never loads it.
import { buildNode, dataPlanFromPlan } from "../../data/build.js";
import type { Plan, PlanNode } from "../../plan/types.js";
import type { HandlerTable, NodeHandler } from "../handler.js";
import type { HandlerEnv } from "./env.js";
import { evalData } from "./eval-data.js";
import { drawsReady, samplesHandler } from "./samples.js";
import { stageData } from "./stage-data.js";

export { backendSession, type BackendSession, type HandlerEnv } from "./env.js";

const memoryNode = (f: (env: HandlerEnv, plan: Plan, node: PlanNode) => Promise<Record<string, number>>, env: HandlerEnv): NodeHandler => ({
  storage: "memory",
  async run(ctx) {
    return { status: "done", summary: await f(env, ctx.plan, ctx.node) };
  },
});

/** Data nodes that hold a block's examples (a source, a task, a mixture); derived nodes (a task's
 * file read, a stage's format/tokenize chain) are built by their consumer. */
const BUILT_OPS = new Set(["read", "expand", "mix"]);

export function createHandlers(env: HandlerEnv): HandlerTable {
  return {
    // the tokenizer and the initial weights are made by the stage that needs them (data layer and
    // engine memoise them); the nodes stand in the plan for their hashes
    tokenizer: memoryNode(async () => ({}), env),
    model: memoryNode(async () => ({}), env),
    // data nodes of a block check that block's data (read, templates, mixing) when a stage needs it;
    // derived format/tokenize nodes are built by the consuming stage with its format and tokenizer
    data: memoryNode(async (e, plan, node): Promise<Record<string, number>> => {
      if (node.block !== node.id || !BUILT_OPS.has(node.op)) return {};
      const raw = await buildNode(dataPlanFromPlan(plan, e.recipe), node.id);
      return raw.kind === "text" ? { lines: raw.train.lines.length, heldout: raw.heldout.lines.length } : { examples: raw.train.length, heldout: raw.heldout.length };
    }, env),
    // K responses drawn from a trained stage per prompt (`samples(stage)` sources): cached like a stage
    "data.samples": samplesHandler(env),
    stage: {
      storage: "cache",
      async prepare(ctx) {
        // data read from a draw this run makes first is built when the stage runs
        if (!(await drawsReady(env, ctx))) return "later";
        await stageData(env, ctx.plan, ctx.node);
      },
      async run(ctx) {
        if (!(await drawsReady(env, ctx))) throw new Error(`${ctx.node.id}: a draw it reads has not been made`);
        const { runStage } = await import("./stages.js");
        return runStage(env, ctx);
      },
    },
    eval: {
      storage: "cache",
      async prepare(ctx) {
        if (!(await drawsReady(env, ctx))) return "later";
        await evalData(env, ctx.plan, ctx.node);
      },
      async run(ctx) {
        if (!(await drawsReady(env, ctx))) throw new Error(`${ctx.node.id}: a draw it reads has not been made`);
        const { runEval } = await import("./evals.js");
        return runEval(env, ctx);
      },
    },
  };
}
