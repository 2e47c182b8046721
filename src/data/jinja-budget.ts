// Rendering a Hugging Face Jinja chat template with a budget. @huggingface/jinja has no limits of its
// own: `{% for i in range(100000000) %}` took 2.9 GB and 14 s. Here every evaluation step is counted
// and the clock checked, every intermediate string and list is size-checked, and `range` refuses
// huge ranges before building them; going over any of these throws, which guardRender reports as a
// located error. The globals are the library's own (setupGlobals is not exported, so they are set
// here), except that `raise_exception` names itself in the message and `strftime_now` is refused:
// a chat template must render the same text on every run (recipes are deterministic).
import { Environment, Interpreter, type Template } from "@huggingface/jinja";
import { MAX_TEMPLATE_OUTPUT } from "./template-guard.js";

export const JINJA_BUDGET = {
  /**
   * evaluation steps per render: the limit that decides, the same on every machine (a recipe renders
   * the same text or fails the same way whatever the load); a real chat template takes a few hundred
   * per message, a nested 9000 × 9000 loop reaches it in well under a second
   */
  steps: 200_000,
  /**
   * wall-clock milliseconds per render: a backstop only, for steps that are each expensive (a filter
   * over a 100,000-element list); far above what the step limit allows any ordinary template, so load
   * on the machine does not change which templates render (it was 2 s, which a loop of 2,000,000 steps
   * could cross or not depending on the load)
   */
  ms: 30_000,
  /** elements of one list (range(), list literals, filters); chat templates loop over messages */
  listLength: 100_000,
} as const;

export class JinjaBudgetError extends Error {}

// The package's .d.ts imports "./runtime" without an extension, which NodeNext resolution does not
// follow: the runtime classes are typed here, as much as this file uses of them.
interface RuntimeValue {
  type: string;
  value: unknown;
}
interface InterpreterLike {
  evaluate(statement: unknown, environment: unknown): RuntimeValue;
  evaluateBlock(statements: unknown[], environment: unknown): RuntimeValue;
  run(program: unknown): RuntimeValue;
}
const InterpreterBase = Interpreter as unknown as new (env: unknown) => InterpreterLike;
const EnvironmentClass = Environment as unknown as new () => { set(name: string, value: unknown): unknown };
type Evaluate = InterpreterLike["evaluate"];

class BudgetedInterpreter extends InterpreterBase {
  private steps = 0;
  private readonly deadline = Date.now() + JINJA_BUDGET.ms;

  private step(): void {
    if (++this.steps > JINJA_BUDGET.steps) throw new JinjaBudgetError(`it takes more than ${JINJA_BUDGET.steps} evaluation steps (an unbounded loop?)`);
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline) throw new JinjaBudgetError(`it runs longer than ${JINJA_BUDGET.ms} ms`);
  }

  // a loop's body is a block, evaluated once per iteration: counted even when it holds nothing (an
  // empty body calls no evaluate, and nested range(99999) loops of nothing ran past 200 s)
  override evaluateBlock(...args: Parameters<InterpreterLike["evaluateBlock"]>): RuntimeValue {
    this.step();
    return super.evaluateBlock(...args);
  }

  override evaluate(...args: Parameters<Evaluate>): ReturnType<Evaluate> {
    this.step();
    const v = super.evaluate(...args);
    // the value classes are not exported by the package: told apart by their `type` tag
    if (v.type === "StringValue" && (v.value as string).length > MAX_TEMPLATE_OUTPUT) throw new JinjaBudgetError(`it builds a string of more than ${MAX_TEMPLATE_OUTPUT} characters`);
    if ((v.type === "ArrayValue" || v.type === "TupleValue") && (v.value as unknown[]).length > JINJA_BUDGET.listLength) throw new JinjaBudgetError(`it builds a list of more than ${JINJA_BUDGET.listLength} elements`);
    return v;
  }
}

function boundedRange(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new Error("range() step must not be zero");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > JINJA_BUDGET.listLength) throw new JinjaBudgetError(`range() of ${n} elements is over the ${JINJA_BUDGET.listLength} alignc allows`);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** `template.render(items)` under JINJA_BUDGET. */
export function renderBudgeted(template: Template, items: Record<string, unknown>): string {
  const env = new EnvironmentClass();
  const globals: Record<string, unknown> = {
    false: false,
    true: true,
    none: null,
    False: false,
    True: true,
    None: null,
    raise_exception: (msg: unknown) => {
      throw new Error(`the template called raise_exception(${JSON.stringify(msg)})`);
    },
    range: boundedRange,
    strftime_now: () => {
      throw new Error("strftime_now() is not supported: a chat template must render the same text on every run (set date_string instead)");
    },
  };
  for (const [k, v] of Object.entries({ ...globals, ...items })) env.set(k, v);
  const result = new BudgetedInterpreter(env).run(template.parsed);
  return String(result.value);
}
