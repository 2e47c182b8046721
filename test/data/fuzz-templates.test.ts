// Fuzzed templates (issue 15, points 2 and 7): for any task template file, Handlebars chat template
// or Hugging Face Jinja chat template built from the constructs real templates use (and the hostile
// ones the issue found: raise_exception, unknown partials and helpers, bare #each, calling a field,
// huge ranges, type errors), rendered over any row of JSON values, alignc either renders text or
// throws a DataError whose diagnostics carry an AL3xxx code and the template's file: never another
// exception (which the CLI would report as an internal error, exit 70), never a hang (the Jinja
// budget and the output cap stop runaway templates).
//
// Deterministic: a fixed seed and a bounded number of runs (FC_SEED=n explores others by hand).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { handlebarsChat, hfChat } from "../../src/data/chat.js";
import { DataError } from "../../src/data/diag.js";
import { parseTemplateFile } from "../../src/data/flan/loaders.js";

const seed = Number(process.env["FC_SEED"] ?? 20261202);
/** fast-check stops (and fails) past this, so a template that turns slow fails instead of hanging. */
const TIME_LIMIT_MS = 60_000;
const runOptions = { seed, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: true };
const dir = mkdtempSync(join(tmpdir(), "alignc-fuzz-tpl-"));

/** Rendering either returns a string or throws a located DataError; anything else fails the property. */
function rendersOrDataError(file: string, render: () => unknown): void {
  try {
    const out = render();
    if (typeof out === "string") return;
    if (out && typeof out === "object") for (const v of Object.values(out)) if (typeof v !== "string" && !Array.isArray(v)) assert.fail(`rendered a ${typeof v}`);
  } catch (err) {
    if (!(err instanceof DataError)) throw new Error(`not a DataError: ${(err as Error)?.stack ?? String(err)}`);
    for (const d of err.diagnostics) {
      assert.match(d.code, /^AL3\d{3}$/, d.message);
      assert.equal(d.file, file, `${d.code} names the template: ${d.message}`);
    }
  }
}

// Field values of a data row: text, numbers, JSON objects and lists, nulls, and names that are
// special to JavaScript or to the template engines.
const fieldValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("", "{{prompt}}", "{% raise_exception('x') %}", "\u0000", "\x1b[2J", "__proto__"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("a", "b", "__proto__", "constructor", "toString"), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);
const fieldNames = ["text", "label", "answer", "a", "options", "constructor", "__proto__", "toString", "this", "length"];
const row = fc.dictionary(fc.constantFrom(...fieldNames), fieldValue, { maxKeys: 5 });

// ---- Handlebars (task templates and chat templates) --------------------------------------------

const hbsFragments = [
  "{{text}}", "{{label}}", "{{answer}}", "{{a.b}}", "{{this}}", "{{../text}}", "{{@index}}", "{{@root.text}}", "{{options_}}",
  "{{#if label}}", "{{else}}", "{{/if}}", "{{#unless a}}", "{{/unless}}", "{{#each options}}", "{{#each}}", "{{/each}}", "{{#with a}}", "{{/with}}",
  "{{> missing}}", "{{> @partial-block}}", "{{shout text}}", "{{text 1}}", "{{* deco}}", "{{lookup a 'b'}}", "{{log 'x'}}", "{{{text}}}",
  "{{!-- inverted --}}", "{{! comment }}", "{{", "}}", "{{#", "{{/", "\\{{text}}", "{{~text~}}", "{{constructor}}", "{{__proto__}}", "{{toString}}",
  "{{#each this}}{{@key}}{{/each}}", "{{#if}}", "{{lookup}}",
  "Question: ", " answer", "\n", "|||", "\n|||\n", "\r\n", " ", "x",
];
const hbsText = fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...hbsFragments) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { maxLength: 14 }).map((a) => a.join(""));

test("any task template file, over any row: text or a located data error", () => {
  let n = 0;
  fc.assert(
    fc.property(hbsText, hbsText, fc.boolean(), row, (input, target, separated, fields) => {
      const file = join(dir, `t${n++}.hbs`);
      const text = separated ? `${input}\n|||\n${target}` : input + target;
      rendersOrDataError(file, () => parseTemplateFile(file, text).render(fields as never));
    }),
    { ...runOptions, numRuns: 600 },
  );
});

const chatFragments = [...hbsFragments, "{{prompt}}", "{{response}}", "{{system}}", "{{#if system}}", "<|user|>", "<|assistant|>"];
const chatText = fc
  .tuple(fc.array(fc.constantFrom(...chatFragments), { maxLength: 6 }), fc.array(fc.constantFrom(...chatFragments), { maxLength: 6 }), fc.array(fc.constantFrom(...chatFragments), { maxLength: 6 }), fc.boolean())
  // half the time the template places prompt then response, so rendering gets past the layout check
  .map(([a, b, c, placed]) => (placed ? `${a.join("")}{{prompt}}${b.join("")}{{response}}${c.join("")}` : [...a, ...b, ...c].join("")));

test("any Handlebars chat template, with any prompt, response and system: text or a located data error", () => {
  fc.assert(
    fc.property(chatText, fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), fc.constantFrom("", "be brief"), (text, prompt, response, system) => {
      const file = join(dir, "chat.hbs");
      rendersOrDataError(file, () => {
        const fmt = handlebarsChat(file, text);
        fmt.promptOnly(prompt, system);
        return fmt.format(prompt, response, system).text;
      });
    }),
    { ...runOptions, numRuns: 400 },
  );
});

// ---- Jinja (Hugging Face chat templates) -------------------------------------------------------

const jinjaFragments = [
  "{% for m in messages %}", "{% endfor %}", "{{ m['content'] }}", "{{ m['role'] }}", "{{ m.content }}", "{% if m['role'] == 'user' %}", "{% elif loop.first %}", "{% else %}", "{% endif %}",
  "{{ bos_token }}", "{{ eos_token }}", "{% if add_generation_prompt %}", "{{ raise_exception('roles must alternate') }}", "{{ raise_exception() }}",
  "{% for i in range(100000000) %}", "{% for i in range(9000) %}", "{{ 'x' * 100000 }}", "{{ messages[0]['content'] - 1 }}", "{{ messages[5] }}", "{{ messages | length }}",
  "{{ m['content'] | trim }}", "{{ m['content'] | upper }}", "{% set ns = namespace(x=0) %}", "{% set ns.x = ns.x + 1 %}", "{{ ns.x }}", "{{ loop.index }}",
  "{% macro f(x) %}{{ f(x) }}{% endmacro %}", "{{ f(1) }}", "{{ strftime_now('%Y') }}", "{{ undefined_name.attr }}", "{{ none.x }}", "{{ messages.__proto__ }}",
  "{{ tojson(messages) }}", "{{ messages | tojson }}", "{%", "%}", "{{", "}}", "{#", "#}", "<|im_start|>", "\n", " ",
];
const jinjaText = fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...jinjaFragments) }, { weight: 1, arbitrary: fc.string({ maxLength: 5 }) }), { maxLength: 12 }).map((a) => a.join(""));
const plainLoop = "{% for m in messages %}{{ m['content'] }}{% endfor %}";

test("any Hugging Face Jinja chat template: text or a located data error, within the render budget", () => {
  let n = 0;
  fc.assert(
    fc.property(jinjaText, fc.boolean(), fc.oneof(fc.string({ maxLength: 6 }), fc.constant(null), fc.integer(), fc.record({ content: fc.string({ maxLength: 4 }) })), (body, withLoop, token) => {
      const file = join(dir, `tokenizer_config_${n++}.json`);
      // with the plain loop appended, prompt and response are placed, so the fragments' effects are rendered
      writeFileSync(file, JSON.stringify({ bos_token: token, eos_token: "</s>", chat_template: withLoop ? body + plainLoop : body }));
      rendersOrDataError(file, () => {
        const fmt = hfChat(file);
        return fmt.format("hi", "there", "sys").text;
      });
    }),
    { ...runOptions, numRuns: 300 },
  );
});

test("a tokenizer_config.json that is not a config object: a located data error", () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 20 })), (text) => {
      const file = join(dir, "config.json");
      writeFileSync(file, text);
      rendersOrDataError(file, () => hfChat(file).format("a", "b").text);
    }),
    { ...runOptions, numRuns: 200 },
  );
});
