// Chat formats: a prompt/response pair → the text the model sees, with the exact character spans of
// the prompt and the response (the loss mask comes from the response span). Two sources:
// Handlebars files (templates/chat/*.hbs, variables system / prompt / response) and Hugging Face
// tokenizer_config.json Jinja `chat_template`s via @huggingface/jinja.
//
// Spans are found by rendering with sentinel characters (Unicode private use) in place of the prompt
// and response, then splicing the real strings in: exact whatever the template does around them.
import { existsSync } from "node:fs";
import Handlebars from "handlebars";
import { Template } from "@huggingface/jinja";
import { CODES, DataError, dataDiag, fail } from "./diag.js";
import { handlebarsPlaceholders, type Placeholder } from "./flan/template.js";
import { lineSpan } from "../lang/diagnostic.js";
import { readTemplateText } from "./template-text.js";
import { renderBudgeted } from "./jinja-budget.js";
import { engineMessage, guardRender, HANDLEBARS_RUNTIME } from "./template-guard.js";
import type { ChatFormat, PromptResponse, SFTExample } from "./types.js";

const S_PROMPT = "\uE000";
const S_RESPONSE = "\uE001";
const S_SYSTEM = "\uE002";

type Renderer = (vars: { system: string; prompt: string; response: string }) => string;


/** Build a ChatFormat from a renderer that is called with sentinels. */
function fromRenderer(name: string, file: string, render: Renderer): ChatFormat {
  const layout = (system: string) => {
    const t = render({ system: system ? S_SYSTEM : "", prompt: S_PROMPT, response: S_RESPONSE });
    const p = t.indexOf(S_PROMPT);
    const r = t.indexOf(S_RESPONSE);
    if (p < 0 || t.indexOf(S_PROMPT, p + 1) >= 0) fail(CODES.chatTemplate, `a chat template must place the prompt exactly once`, file);
    if (r < 0 || t.indexOf(S_RESPONSE, r + 1) >= 0) fail(CODES.chatTemplate, `a chat template must place the response exactly once`, file);
    if (r < p) fail(CODES.chatTemplate, `the response must come after the prompt`, file);
    return { before: t.slice(0, p), middle: t.slice(p + 1, r), after: t.slice(r + 1) };
  };
  const cache = new Map<string, ReturnType<typeof layout>>();
  const get = (system: string) => {
    const key = system;
    let l = cache.get(key);
    if (!l) {
      l = layout(system);
      if (cache.size < 64) cache.set(key, l);
    }
    return l;
  };
  const fill = (s: string, system: string) => s.split(S_SYSTEM).join(system);
  return {
    name,
    format(prompt, response, system = "") {
      const l = get(system);
      const before = fill(l.before, system);
      const middle = fill(l.middle, system);
      const ps = before.length;
      const pe = ps + prompt.length;
      const rs = pe + middle.length;
      const re = rs + response.length;
      return { text: before + prompt + middle + response + fill(l.after, system), promptSpan: [ps, pe], responseSpan: [rs, re] };
    },
    promptOnly(prompt, system = "") {
      const l = get(system);
      return fill(l.before, system) + prompt + fill(l.middle, system);
    },
  };
}

const CHAT_VARIABLES = new Set(["system", "prompt", "response"]);

/**
 * A Handlebars chat template is given `system`, `prompt` and `response` only: any other name it reads
 * (a typo like `{{sytem}}`, or `{{toString}}`, `{{constructor}}`) would render as nothing, silently.
 * Each is an error at the template's line and column. A parse error is left to the first render,
 * which reports it located (guardRender).
 */
function checkChatVariables(file: string, text: string): void {
  let names: Placeholder[];
  try {
    names = handlebarsPlaceholders(text);
  } catch {
    return;
  }
  const unknown = names.filter((p) => !CHAT_VARIABLES.has(p.name));
  if (unknown.length === 0) return;
  throw new DataError(
    unknown.map((p) => {
      const start = lineSpan(text, p.line).start + p.col - 1;
      const span = { start, end: start + 2 + p.name.length, line: p.line, col: p.col, endLine: p.line, endCol: p.col + 2 + p.name.length };
      return dataDiag(CODES.templateField, `chat template uses \`${p.name}\`, which is neither a variable a chat format is given (\`system\`, \`prompt\`, \`response\`) nor a helper: it would render as nothing or fail`, file, span);
    }),
  );
}

/** A Handlebars chat format file; variables `system`, `prompt`, `response` (`{{#if system}}` works). */
export function handlebarsChat(file: string, text?: string): ChatFormat {
  if (text === undefined) {
    if (!existsSync(file)) fail(CODES.fileMissing, "chat template not found", file);
    text = readTemplateText(file, "chat template");
  }
  // a single trailing newline of the file is not part of the format
  text = text.replace(/\r?\n$/, "");
  // parsed now, not at the first render (Handlebars compiles lazily): a syntax error is then located in
  // the template file at its line, not at the recipe's chat_template(...) as a render failure
  try {
    Handlebars.parse(text);
  } catch (err) {
    const m = /line (\d+)/.exec((err as Error).message);
    fail(CODES.templateSyntax, engineMessage(err), file, lineSpan(text, m ? Number(m[1]) : 1));
  }
  checkChatVariables(file, text);
  const fn = Handlebars.compile(text, { noEscape: true, strict: false });
  const name = file.replace(/^.*\//, "").replace(/\.hbs$/, "");
  return fromRenderer(name, file, guardRender((v: Parameters<Renderer>[0]) => fn(v, HANDLEBARS_RUNTIME), "chat template", { file, span: null, firstLine: 1 }));
}

/** A Hugging Face tokenizer_config.json `chat_template` (Jinja), with its bos/eos tokens. */
export function hfChat(file: string): ChatFormat {
  if (!existsSync(file)) fail(CODES.fileMissing, "tokenizer_config.json not found", file);
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(readTemplateText(file, "tokenizer_config.json")) as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    fail(CODES.chatTemplate, `not valid JSON (${err.message})`, file);
  }
  if (cfg === null || typeof cfg !== "object" || Array.isArray(cfg)) fail(CODES.chatTemplate, `a tokenizer_config.json holds an object`, file);
  let tpl = cfg.chat_template;
  if (Array.isArray(tpl)) tpl = (tpl.find((t: { name?: string }) => t.name === "default") as { template?: string } | undefined)?.template;
  if (typeof tpl !== "string") fail(CODES.chatTemplate, `no \`chat_template\` string`, file);
  const tokenText = (v: unknown): string => (typeof v === "string" ? v : v && typeof v === "object" && "content" in v ? String((v as { content: unknown }).content) : "");
  let template: Template;
  try {
    template = new Template(tpl);
  } catch (err) {
    fail(CODES.chatTemplate, `chat_template does not parse: ${(err as Error).message}`, file);
  }
  const render: Renderer = (v) => {
    const messages = [...(v.system ? [{ role: "system", content: v.system }] : []), { role: "user", content: v.prompt }, { role: "assistant", content: v.response }];
    return renderBudgeted(template, { messages, bos_token: tokenText(cfg.bos_token), eos_token: tokenText(cfg.eos_token), add_generation_prompt: false });
  };
  return fromRenderer("hf:" + file.replace(/^.*\/([^/]+)\/[^/]+$/, "$1"), file, guardRender(render, "chat_template", { file }));
}

/** Format one example. An empty response would train on nothing; every reader of examples refuses one
 * first (AL3030 at its row: demonstrations by `trim() === ""`, a task's empty target or inverted input,
 * a draw keeps non-empty samples; comparison groups, which may hold one, are not formatted here), so
 * one here is a bug (exit 70), not bad input. */
export function formatExample(fmt: ChatFormat, ex: PromptResponse, system?: string): SFTExample {
  if (ex.response.length === 0) throw new Error(`example ${ex.id}: an empty response reached formatExample; its reader (source \`${ex.meta.source}\`) should have refused it (AL3030)`);
  const sys = ex.system ?? system;
  const f = fmt.format(ex.prompt, ex.response, sys ?? "");
  return { id: ex.id, prompt: ex.prompt, response: ex.response, ...(sys ? { system: sys } : {}), text: f.text, promptSpan: f.promptSpan, responseSpan: f.responseSpan, meta: ex.meta };
}

/** A prompts source's example (`as prompts`): the text the model is given to answer (everything before
 * a response, as `promptOnly` has it), its response empty: an empty span at the text's end. */
export function formatPromptOnly(fmt: ChatFormat, ex: PromptResponse, system?: string): SFTExample {
  const sys = ex.system ?? system;
  const f = fmt.format(ex.prompt, "x", sys ?? ""); // any response: the prompt's text is what comes before it
  const text = f.text.slice(0, f.responseSpan[0]);
  return { id: ex.id, prompt: ex.prompt, response: "", ...(sys ? { system: sys } : {}), text, promptSpan: f.promptSpan, responseSpan: [text.length, text.length], meta: ex.meta };
}

/** Without a format block: prompt, newline, response (the raw FLAN (input, target) concatenation). */
export const RAW_FORMAT: ChatFormat = fromRenderer("raw", "", (v) => `${v.prompt}\n${v.response}`);
