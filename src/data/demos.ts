// Demonstrations: (prompt, response) rows in Dolly (instruction, context, response, category),
// Alpaca (instruction, input, output) or plain (prompt, response) shapes, or mapped by Handlebars
// templates over any fields; category filters (Dolly) keep only the listed categories.
import type { Span } from "../lang/ast.js";
import { CODES, DataError, fail, rowSpan } from "./diag.js";
import { fieldsOf } from "./flan/render.js";
import { didYouMean } from "../common/did-you-mean.js";
import { compileHandlebars, placeholderProblem, type CompiledPart } from "./flan/template.js";
import { fieldString, type Row } from "./readers.js";
import type { PromptResponse } from "./types.js";
import { dataDiag } from "./diag.js";
import { BadRows } from "./bad-rows.js";
import { rowElement } from "./readers.js";
import { conversationTurns, isMessageList, parseMessages, promptOfMessages, responseOfMessages } from "./messages.js";

// chat (TRL's `messages`, ShareGPT's `conversations`) and completion (TRL's prompt-completion) are
// detected only, not written: the kinds table's `shape` values are unchanged
export type DemoShape = "auto" | "dolly" | "alpaca" | "plain" | "chat" | "completion";

export interface DemoSpec {
  name: string;
  file: string;
  rows: Row[];
  shape?: DemoShape | string;
  prompt?: string; // Handlebars over the row
  response?: string;
  context?: string; // template appended to the prompt after a blank line when it renders non-empty (default: the shape's context field)
  system?: string;
  categories?: string[];
  /** filled with the rows `categories` left out, counted by their category (`null` where a row has none) */
  categoryDrops?: Map<string, number>;
  /** bad-row policy (bad-rows.ts); default: fail on every bad row, all of them reported */
  bad?: BadRows;
  /** where each template was written (the recipe), for template errors: a recipe that extends another writes its overrides in its own file */
  templateSite?: Partial<Record<"prompt" | "response" | "context", { file: string; span?: Span }>>;
  /** a prompts source (`as prompts`): each row's prompt alone, no response read (response ""): TRL's
   * prompt-only layout, what PPO rolls out from and a reward-model judge compares answers to */
  promptOnly?: boolean;
}

/** The row layout, detected from the first row's fields when `auto`. A source that writes its own
 * `prompt` or `response` template reads fields by it, so it keeps the field layouts (a message list
 * read whole by a template is the template's business). */
export function detectShape(rows: readonly Row[], shape: string = "auto", templated = false): Exclude<DemoShape, "auto"> {
  if (shape !== "auto") return shape as Exclude<DemoShape, "auto">;
  const f = rows[0]?.data ?? {};
  if ("instruction" in f && "output" in f) return "alpaca";
  if ("instruction" in f && "response" in f) return "dolly";
  if (templated || "response" in f) return "plain";
  if (isMessageList(f.messages) || isMessageList(f.conversations)) return "chat";
  if ("prompt" in f && "completion" in f) return "completion";
  return "plain";
}

const DEFAULTS: Record<Exclude<DemoShape, "auto">, { prompt: string; response: string; context: string | null }> = {
  dolly: { prompt: "instruction", response: "response", context: "context" },
  alpaca: { prompt: "instruction", response: "output", context: "input" },
  plain: { prompt: "prompt", response: "response", context: null },
  completion: { prompt: "prompt", response: "completion", context: null },
  chat: { prompt: "messages", response: "messages", context: null },
};

/** Compile a field-mapping template and check its placeholders against the data's fields. */
export function mappingTemplate(src: string, role: string, fields: ReadonlySet<string>, dataFile: string, site?: { file: string; span?: Span }): CompiledPart {
  let part: CompiledPart;
  try {
    part = compileHandlebars(src, 0, { file: site?.file ?? dataFile, span: site?.span ?? null });
  } catch (err) {
    fail(CODES.templateSyntax, `${role} template ${JSON.stringify(src)}: ${(err as Error).message.split("\n")[0]}`, site?.file ?? dataFile, site?.span ?? null);
  }
  const bad = part.placeholders.filter((p) => !fields.has(p.name));
  if (bad.length)
    throw new DataError(
      bad.map((p) => {
        return dataDiag(CODES.templateField, `${role} template uses \`${p.name}\`, which is not a field of ${dataFile} (fields: ${[...fields].sort().join(", ")})`, site?.file ?? dataFile, site?.span ?? null, didYouMean(p.name, fields));
      }),
    );
  return part;
}

type Turn = { system?: string; prompt: string; response: string };

/** A row's prompts and responses from message lists: a whole conversation (`messages`, `conversations`:
 * each assistant turn a response, the turns before it its prompt), or TRL's conversational
 * prompt-completion (`prompt` and `completion` lists: one). Null where the row's fields are text. */
function conversation(row: Row, d: { prompt: string; response: string }): { turns: Turn[] } | { error: string } | null {
  try {
    if (d.prompt === "messages") {
      const field = isMessageList(row.data.messages) || !("conversations" in row.data) ? "messages" : "conversations";
      return { turns: conversationTurns(parseMessages(row.data[field], field), field) };
    }
    const p = row.data[d.prompt];
    const r = row.data[d.response];
    // a list beside text reads both; anything else is the field readers' to report
    if ((!isMessageList(p) && !isMessageList(r)) || (!isMessageList(p) && typeof p !== "string") || (!isMessageList(r) && typeof r !== "string")) return null;
    const prompt = isMessageList(p) ? promptOfMessages(parseMessages(p, d.prompt), d.prompt) : { prompt: p as string };
    const response = isMessageList(r) ? responseOfMessages(parseMessages(r, d.response), d.response) : (r as string);
    return { turns: [{ ...prompt, response }] };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function readDemonstrations(spec: DemoSpec): PromptResponse[] {
  if (spec.rows.length === 0) fail(CODES.emptyData, `the file has no rows (source \`${spec.name}\`)`, spec.file);
  const shape = detectShape(spec.rows, spec.shape, spec.prompt !== undefined || spec.response !== undefined);
  const d = DEFAULTS[shape];
  const fields = fieldsOf(spec.rows);
  const site = spec.templateSite;
  const tpl = (src: string | undefined, role: "prompt" | "response" | "context") =>
    src === undefined ? null : mappingTemplate(src, role, fields, spec.file, site?.[role]);
  const promptT = tpl(spec.prompt, "prompt");
  const responseT = tpl(spec.response, "response");
  const contextT = tpl(spec.context, "context");
  const keep = spec.categories ? new Set(spec.categories) : null;
  const out: PromptResponse[] = [];
  const bad = spec.bad ?? new BadRows(spec.name, spec.file);
  for (const row of spec.rows) {
    const category = typeof row.data.category === "string" ? row.data.category : undefined;
    if (keep && (!category || !keep.has(category))) {
      const label = category ?? (row.data.category === undefined ? "no category field" : JSON.stringify(row.data.category));
      spec.categoryDrops?.set(label, (spec.categoryDrops.get(label) ?? 0) + 1);
      continue;
    }
    const ex = bad.guard(row, () => (spec.promptOnly ? [promptOf(spec, row, d, { promptT, contextT }, category)] : demoOf(spec, row, d, { promptT, responseT, contextT }, category)));
    if (ex) out.push(...ex);
  }
  if (!spec.bad) bad.finish();
  return out;
}

function demoOf(
  spec: DemoSpec,
  row: Row,
  d: { prompt: string; response: string; context: string | null },
  t: { promptT: CompiledPart | null; responseT: CompiledPart | null; contextT: CompiledPart | null },
  category: string | undefined,
): PromptResponse[] {
  const { promptT, responseT, contextT } = t;
  {
    checkPlaceholders(spec, row, [promptT, responseT, contextT]);
    const at = rowSpan(row.line, row.start, row.end, row.col);
    // TRL's prompt-only rows ({"prompt": …}) have no response to train on or to judge against: said so,
    // not "missing field `response`" beside a data file that is as its publisher meant it
    if (!responseT && d.prompt === "prompt" && "prompt" in row.data && !(d.response in row.data) && Object.entries(row.data).every(([k, v]) => k === "prompt" || typeof v !== "string"))
      fail(CODES.missingField, `${rowElement(row)}missing field \`${d.response}\`: the row holds a prompt alone (TRL's prompt-only layout), and a demonstrations source needs each prompt's response, which SFT trains on and PPO's rule reward, win-rate judges and references read`, spec.file, at, `fields present: ${Object.keys(row.data).join(", ")}; for PPO's prompts or a reward-model judge's, declare the source \`as prompts\`, which reads the prompt alone`);
    // message lists (TRL's conversational rows, ShareGPT's): read into one prompt and its response
    const conv = promptT || responseT ? null : conversation(row, d);
    if (conv && "error" in conv) fail(CODES.wrongType, `${rowElement(row)}${conv.error}`, spec.file, at);
    const turns: Turn[] = conv ? conv.turns : [{ prompt: promptT ? promptT.render(row.data) : fieldString(row, d.prompt, spec.file), response: responseT ? responseT.render(row.data) : fieldString(row, d.response, spec.file) }];
    // a conversation's answers before its last are examples too: `row/1`, `row/2`, …; its last keeps the row's id
    return turns.map((turn, k) => {
      const prompt = withContext(spec, row, d, turn.prompt, promptT, contextT);
      if (turn.response.trim() === "") fail(CODES.emptyResponse, `${rowElement(row)}empty response${responseT ? "" : conv ? ` (assistant turn ${k + 1})` : ` (field \`${d.response}\`)`}`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
      return example(spec, row, prompt, turn.response, turn.system, category, k === turns.length - 1 ? "" : `/${k + 1}`);
    });
  }
}

/** A prompts source's row: its prompt alone, read as a demonstration's is (the shape's field or the
 * `prompt` template, the context after it), or TRL's conversational prompt-only row (`prompt` a message
 * list, or a `messages` / `conversations` list), which ends on the user turn the policy answers. */
function promptOf(spec: DemoSpec, row: Row, d: { prompt: string; context: string | null }, t: { promptT: CompiledPart | null; contextT: CompiledPart | null }, category: string | undefined): PromptResponse {
  checkPlaceholders(spec, row, [t.promptT, t.contextT]);
  const at = rowSpan(row.line, row.start, row.end, row.col);
  const field = d.prompt === "messages" ? (isMessageList(row.data.messages) || !("conversations" in row.data) ? "messages" : "conversations") : d.prompt;
  const listed = !t.promptT && isMessageList(row.data[field]);
  let asked: { system?: string; prompt: string };
  try {
    if (listed) {
      const ms = parseMessages(row.data[field], field);
      if (ms[ms.length - 1]!.role !== "user") throw new Error(`\`${field}\` ends with a${ms[ms.length - 1]!.role === "assistant" ? "n" : ""} ${ms[ms.length - 1]!.role} turn: a prompt ends with the user turn the model answers`);
      asked = promptOfMessages(ms, field);
    } else asked = { prompt: t.promptT ? t.promptT.render(row.data) : fieldString(row, field, spec.file) };
  } catch (e) {
    if (e instanceof DataError) throw e;
    fail(CODES.wrongType, `${rowElement(row)}${(e as Error).message}`, spec.file, at);
  }
  return example(spec, row, withContext(spec, row, d, asked.prompt, t.promptT, t.contextT), "", asked.system, category);
}

/** Each placeholder of the row's templates names a field the row has, of a type it can print. */
function checkPlaceholders(spec: DemoSpec, row: Row, parts: readonly (CompiledPart | null)[]): void {
  for (const p of parts)
    for (const ph of p?.placeholders ?? []) {
      const problem = placeholderProblem(ph, row.data);
      if (problem) fail(problem.code, problem.message, spec.file, rowSpan(row.line, row.start, row.end, row.col));
    }
}

/** The prompt with the row's context after it, refused where it says nothing. */
function withContext(spec: DemoSpec, row: Row, d: { prompt: string; context: string | null }, prompt: string, promptT: CompiledPart | null, contextT: CompiledPart | null): string {
  const context = contextT ? contextT.render(row.data) : d.context ? fieldString(row, d.context, spec.file, { optional: true }) : "";
  // Dolly's `context` / Alpaca's `input` follows the prompt after a blank line (also with a custom
  // prompt template: the instruction often cannot be answered without it); `context = ""` turns it off
  const full = context.trim() ? `${prompt}\n\n${context}` : prompt;
  // every such row trained on a reply to nothing, and PPO rolled out from the format alone (huntZ40 M3)
  if (full.trim() === "") fail(CODES.emptyPrompt, `${rowElement(row)}empty prompt${promptT ? " (its template prints nothing for this row)" : ` (field \`${d.prompt}\`)`}`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
  return full;
}

function example(spec: DemoSpec, row: Row, prompt: string, response: string, system: string | undefined, category: string | undefined, turn = ""): PromptResponse {
  return {
    id: `${spec.name}:${row.index}${turn}`,
    prompt,
    response,
    ...(system !== undefined || spec.system ? { system: system ?? spec.system } : {}),
    // a row's `task` names its task as a ranking's does: per-task win rates, and each task's own
    // constant answer as an accuracy baseline (src/run/evaluation/eval-metrics.ts)
    meta: { source: spec.name, row: row.index, line: row.line, ...(category ? { category } : {}), ...(typeof row.data.task === "string" ? { task: row.data.task } : {}) },
  };
}
