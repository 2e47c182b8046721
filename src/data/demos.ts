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

export type DemoShape = "auto" | "dolly" | "alpaca" | "plain";

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
  /** where `prompt`/`response`/`context` were written (the recipe), for template errors */
  /** where each template was written: a recipe that extends another writes its overrides in its own file */
  templateSite?: Partial<Record<"prompt" | "response" | "context", { file: string; span?: Span }>>;
}

/** The row layout, detected from the first row's fields when `auto`. */
export function detectShape(rows: readonly Row[], shape: string = "auto"): Exclude<DemoShape, "auto"> {
  if (shape !== "auto") return shape as Exclude<DemoShape, "auto">;
  const f = rows[0]?.data ?? {};
  if ("instruction" in f && "output" in f) return "alpaca";
  if ("instruction" in f && "response" in f) return "dolly";
  return "plain";
}

const DEFAULTS: Record<Exclude<DemoShape, "auto">, { prompt: string; response: string; context: string | null }> = {
  dolly: { prompt: "instruction", response: "response", context: "context" },
  alpaca: { prompt: "instruction", response: "output", context: "input" },
  plain: { prompt: "prompt", response: "response", context: null },
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

export function readDemonstrations(spec: DemoSpec): PromptResponse[] {
  if (spec.rows.length === 0) fail(CODES.emptyData, `the file has no rows (source \`${spec.name}\`)`, spec.file);
  const shape = detectShape(spec.rows, spec.shape);
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
    const ex = bad.guard(row, () => demoOf(spec, row, d, { promptT, responseT, contextT }, category));
    if (ex) out.push(ex);
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
): PromptResponse {
  const { promptT, responseT, contextT } = t;
  {
    for (const p of [promptT, responseT, contextT]) {
      for (const ph of p?.placeholders ?? []) {
        const problem = placeholderProblem(ph, row.data);
        if (problem) fail(problem.code, problem.message, spec.file, rowSpan(row.line, row.start, row.end, row.col));
      }
    }
    let prompt = promptT ? promptT.render(row.data) : fieldString(row, d.prompt, spec.file);
    const context = contextT ? contextT.render(row.data) : d.context ? fieldString(row, d.context, spec.file, { optional: true }) : "";
    // Dolly's `context` / Alpaca's `input` follows the prompt after a blank line (also with a custom
    // prompt template: the instruction often cannot be answered without it); `context = ""` turns it off
    if (context.trim()) prompt = `${prompt}\n\n${context}`;
    // every such row trained on a reply to nothing, and PPO rolled out from the format alone (huntZ40 M3)
    if (prompt.trim() === "") fail(CODES.emptyPrompt, `${rowElement(row)}empty prompt${promptT ? " (its template prints nothing for this row)" : ` (field \`${d.prompt}\`)`}`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
    const response = responseT ? responseT.render(row.data) : fieldString(row, d.response, spec.file);
    if (response.trim() === "") fail(CODES.emptyResponse, `${rowElement(row)}empty response${responseT ? "" : ` (field \`${d.response}\`)`}`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
    return {
      id: `${spec.name}:${row.index}`,
      prompt,
      response,
      ...(spec.system ? { system: spec.system } : {}),
      // a row's `task` names its task as a ranking's does: per-task win rates, and each task's own
      // constant answer as an accuracy baseline (src/run/evaluation/eval-metrics.ts)
      meta: { source: spec.name, row: row.index, line: row.line, ...(category ? { category } : {}), ...(typeof row.data.task === "string" ? { task: row.data.task } : {}) },
    };
  }
}
