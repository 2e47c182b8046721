// A small fake plan with fake handlers that behave like the real ones, for the executor's tests: a
// memory data node, stages that train for N steps with checkpoints and Ctrl-C, an eval, and expect gates.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IRCondition } from "../../src/check/ir.js";
import type { Plan, PlanNode } from "../../src/plan/types.js";
import type { HandlerTable, NodeContext, NodeResult } from "../../src/run/handler.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import type { RunPlanOptions } from "../../src/run/run-plan.js";

export const node = (id: string, kind: PlanNode["kind"], op: string, inputs: string[], params: PlanNode["params"] = {}): PlanNode => ({
  id,
  kind,
  op,
  params,
  inputs,
  files: [],
  hash: `h${id}${JSON.stringify(params).replace(/[^a-z0-9]/gi, "")}`,
  estimates: {},
  block: id,
});

export function plan(lr = 1): Plan {
  return {
    version: 1,
    recipe: { name: "fake", file: "fake.align", seed: 1 },
    engine: { alignc: "0.1.0", epoch: 1 },
    nodes: [node("d", "data", "read", []), node("a", "stage", "sft", ["d"], { steps: 6, lr }), node("b", "stage", "sft", ["a"], { steps: 4 }), node("c", "stage", "ppo", ["a"], { steps: 2 }), node("e", "eval", "accuracy", ["b"])],
  };
}

const span = { start: 0, end: 1, line: 1, col: 1, endLine: 1, endCol: 2 };
export const cond = (block: string, member: string, op: IRCondition["op"], right: number): IRCondition => ({ left: { $ref: block, member }, op, right, span, text: `${block}.${member} ${op} ${right}` });

export interface Calls {
  runs: string[];
  interruptAt?: { node: string; step: number };
  badData?: boolean;
  /** added to a node's state each step: the same node computed with other bytes (another backend, say) */
  offset?: Record<string, number>;
}

/** A "training" handler: state_{t+1} = state_t + input, loss = 1/state; deterministic, resumable. */
export function handlers(calls: Calls, interrupt: { requested: boolean }): HandlerTable {
  const train = async (ctx: NodeContext): Promise<NodeResult> => {
    calls.runs.push(ctx.node.id);
    const steps = ctx.node.params.steps as number;
    const input = await ctx.input(ctx.node.inputs[0]!);
    const base = input.dir ? JSON.parse(readFileSync(join(input.dir, "out.json"), "utf8")).state : (input.value as number);
    let state = base;
    let start = 0;
    const ck = ctx.latestCheckpoint();
    if (ck) {
      const saved = JSON.parse(readFileSync(join(ck.dir, "state.json"), "utf8"));
      state = saved.state;
      start = saved.step;
    }
    const bar = ctx.progress(steps, start);
    for (let s = start + 1; s <= steps; s++) {
      state += base + ((ctx.node.params.lr as number | undefined) ?? 0) + (calls.offset?.[ctx.node.id] ?? 0);
      ctx.log({ step: s, loss: 1 / state });
      bar.update(s, { loss: 1 / state });
      if (calls.interruptAt?.node === ctx.node.id && calls.interruptAt.step === s) interrupt.requested = true;
      if (ctx.interrupted() || s % 2 === 0) {
        const snapshot = { state, step: s };
        await ctx.saveCheckpoint(s, (d) => writeFileSync(join(d, "state.json"), JSON.stringify(snapshot)));
        if (ctx.interrupted()) {
          bar.done("interrupted");
          return { status: "interrupted", step: s };
        }
      }
    }
    bar.done();
    writeFileSync(join(ctx.outDir, "out.json"), JSON.stringify({ state }));
    return { status: "done", summary: { loss: 1 / state, state }, resumedFromStep: start || undefined };
  };
  return {
    "data.read": {
      storage: "memory",
      async run(ctx) {
        calls.runs.push(ctx.node.id);
        if (calls.badData) throw new Error("data/x.jsonl:3: missing field `response`");
        return { status: "done", summary: {}, value: 1 };
      },
    },
    stage: { storage: "cache", run: train },
    "eval.accuracy": {
      storage: "cache",
      async run(ctx) {
        calls.runs.push(ctx.node.id);
        const b = await ctx.input("b");
        ctx.sample({ eval: "e", prompt: "p", a: { model: "b", text: "x" } });
        return { status: "done", summary: { accuracy: Math.min(1, b.summary.state! / 100) } };
      },
    },
  };
}

export function opts(dir: string, calls: Calls, extra: Partial<RunPlanOptions> = {}): RunPlanOptions {
  const interrupt = { requested: false };
  return {
    plan: plan(),
    recipe: { name: "fake", file: "fake.align", seed: 1, expects: [] },
    handlers: handlers(calls, interrupt),
    interrupt,
    backend: "fake",
    runsDir: join(dir, "runs"),
    cacheRoot: join(dir, "cache"),
    progress: createProgress({ quiet: true }),
    ...extra,
  };
}
