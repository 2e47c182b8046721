import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import Handlebars from "handlebars";
import { formatExample, handlebarsChat, hfChat } from "../../src/data/chat.js";
import { NoResponseLeft, tokenizeExample } from "../../src/data/tokenize.js";
import { bpeTokenizer, byteLevel, trainBpe } from "../../src/data/tokenizers.js";
import { DataError } from "../../src/data/diag.js";
import { compileHandlebars } from "../../src/data/flan/template.js";
import type { ChatFormat, PromptResponse } from "../../src/data/types.js";
import { ROOT } from "./recipe-fixture.js";

const formats = ["plain", "llama2", "chatml", "alpaca"].map((n) => handlebarsChat(resolve(ROOT, `templates/chat/${n}.hbs`)));
const dir = mkdtempSync(join(tmpdir(), "alignc-chat-"));
const cfg = join(dir, "tokenizer_config.json");
// Zephyr's chat template (HF tokenizer_config.json), with its eos token
writeFileSync(
  cfg,
  JSON.stringify({
    bos_token: "<s>",
    eos_token: "</s>",
    chat_template:
      "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
  }),
);
const all: ChatFormat[] = [...formats, hfChat(cfg)];
// Llama-2-chat's own template (meta-llama/Llama-2-7b-chat-hf tokenizer_config.json)
const llamaCfg = join(dir, "llama2_tokenizer_config.json");
writeFileSync(
  llamaCfg,
  JSON.stringify({
    bos_token: { content: "<s>" },
    eos_token: { content: "</s>" },
    chat_template:
      "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
  }),
);

const text = fc.string({ unit: fc.constantFrom(..."ab cXY\n!{}<>é€😀"), minLength: 0, maxLength: 30 });

test("property: chat formatting keeps prompt/response spans exact (the response span decodes to the response)", () => {
  const bytes = byteLevel();
  const bpe = bpeTokenizer(trainBpe(["User: hello there\nAssistant: hi", "ab ab abc XY XY"], 300));
  fc.assert(
    fc.property(fc.constantFrom(...all), text, text.filter((s) => s.length > 0), fc.option(text, { nil: undefined }), (fmt, prompt, response, system) => {
      const f = fmt.format(prompt, response, system);
      assert.equal(f.text.slice(...f.promptSpan), prompt);
      assert.equal(f.text.slice(...f.responseSpan), response);
      assert.ok(f.promptSpan[1] <= f.responseSpan[0]);
      assert.equal(fmt.promptOnly(prompt, system), f.text.slice(0, f.responseSpan[0]));
      const ex = formatExample(fmt, { id: "x", prompt, response, meta: { source: "t" } }, system);
      // an accuracy eval prompts with the example's system text: promptOnly(prompt, ex.system) is the text before the response
      assert.equal(fmt.promptOnly(ex.prompt, ex.system), ex.text.slice(0, ex.responseSpan[0]));
      for (const tok of [bytes, bpe]) {
        const t = tokenizeExample(ex, tok);
        assert.equal(t.tokens.length, t.lossMask.length);
        const first = t.lossMask.indexOf(1);
        assert.equal(tok.decode(t.tokens.slice(0, first)), f.text.slice(0, f.responseSpan[0]));
        const masked = t.tokens.filter((_, i) => t.lossMask[i] === 1);
        assert.ok(tok.decode(masked).startsWith(response));
        assert.equal(t.tokens[t.tokens.length - 1], tok.eos);
      }
    }),
    { numRuns: 150 },
  );
});

test("the formats look like their originals", () => {
  const [plain, llama2, chatml, alpaca] = formats;
  assert.equal(plain!.format("hi", "yo").text, "User: hi\nAssistant: yo");
  assert.equal(llama2!.format("hi", "yo", "be brief").text, "<s>[INST] <<SYS>>\nbe brief\n<</SYS>>\n\nhi [/INST] yo </s>");
  assert.equal(llama2!.format("hi", "yo").text, "<s>[INST] hi [/INST] yo </s>");
  assert.equal(chatml!.format("hi", "yo").text, "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyo<|im_end|>");
  assert.match(alpaca!.format("hi", "yo").text, /^Below is an instruction.*\n\n### Instruction:\nhi\n\n### Response:\nyo$/s);
  assert.equal(all[4]!.format("hi", "yo").text, "<|user|>\nhi</s>\n<|assistant|>\nyo</s>\n");
});

test("templates/chat/llama2.hbs formats exactly as Llama-2-chat's Hugging Face template", () => {
  const hf = hfChat(llamaCfg);
  for (const system of ["", "You are terse."]) assert.equal(formats[1]!.format("What is 2+2?", "4", system).text, hf.format("What is 2+2?", "4", system).text);
});

test("an empty response is never a fully masked sample: a bug past the readers (they refuse it first, AL3030 at the row); truncation that removes it is AL3030", () => {
  const ex: PromptResponse = { id: "e", prompt: "p", response: "", meta: { source: "t", line: 3 } };
  // every reader refuses an empty response first (test/data/demos, rankings, flan, bad-rows): one
  // here is an internal error (exit 70), not a DataError without a location
  assert.throws(() => formatExample(formats[0]!, ex), (e: Error) => !(e instanceof DataError) && /empty response reached formatExample; its reader \(source `t`\)/.test(e.message));
  const long = formatExample(formats[0]!, { id: "l", prompt: "x".repeat(100), response: "answer", meta: { source: "t" } });
  const t = tokenizeExample(long, byteLevel(), { maxLength: 20 });
  assert.equal(t.tokens.length, 20);
  assert.equal(t.truncated, true);
  assert.equal(byteLevel().decode(t.tokens.filter((_, i) => t.lossMask[i] === 1)), "answer"); // prompt cut from the left
  const tiny = formatExample(formats[0]!, { id: "t", prompt: "p", response: "r", meta: { source: "t" } });
  assert.equal(tokenizeExample(tiny, byteLevel(), { maxLength: 3 }).lossMask.filter((m) => m === 1).length, 2); // "r" + EOS
  assert.throws(() => tokenizeExample(tiny, byteLevel(), { maxLength: 10, truncate: "right" }), (e: NoResponseLeft) => e instanceof NoResponseLeft && e.diagnostics[0]!.code === "AL3030" && e.example.id === "t" && e.promptTokens > 0 && /no response token is left after truncation/.test(e.message));
  assert.deepEqual(tokenizeExample(tiny, byteLevel(), { lossOn: "all" }).lossMask.every((m) => m === 1), true);
  // a non-empty response that encodes to nothing: no tokenizer alignc builds does that (all are
  // byte-level underneath), so it is a bug, not a DataError without a location
  const dropsAll = { ...byteLevel(), encode: (s: string) => (s === "r" ? [] : byteLevel().encode(s)) };
  assert.throws(() => tokenizeExample(tiny, dropsAll, {}), (e: Error) => !(e instanceof DataError) && /encodes to no tokens/.test(e.message));
});

test("a chat template without the response, or with it twice, is AL3031", () => {
  const p = join(dir, "bad.hbs");
  writeFileSync(p, "User: {{prompt}}");
  assert.throws(() => handlebarsChat(p).format("a", "b"), (e: DataError) => e.diagnostics[0]!.code === "AL3031");
  writeFileSync(p, "{{prompt}} {{response}} {{response}}");
  assert.throws(() => handlebarsChat(p).format("a", "b"), /exactly once/);
});

/** What `fn` writes to stderr (console.error included), and its result. */
function stderrOf<T>(fn: () => T): { stderr: string; result: T } {
  const write = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const result = fn(); // before reading stderr
    return { stderr, result };
  } finally {
    process.stderr.write = write;
  }
}

test("{{toString}} and {{constructor}}: a located AL3010 in a chat template, nothing rendered from a prototype, and no Handlebars warning on stderr", () => {
  // Handlebars warns once per name and process: make this test see the first time (not in its typings)
  (Handlebars as unknown as { resetLoggedPropertyAccesses(): void }).resetLoggedPropertyAccesses();
  const p = join(dir, "proto.hbs");
  for (const [text, name, line, col] of [["{{prompt}}\n{{toString}}{{response}}", "toString", 2, 1], ["{{prompt}} {{response}}\n\n  {{constructor}}", "constructor", 3, 3]] as const) {
    writeFileSync(p, text);
    const { stderr } = stderrOf(() =>
      assert.throws(
        () => handlebarsChat(p),
        (e: DataError) => {
          const [d] = e.diagnostics;
          return d!.code === "AL3010" && d!.file === p && d!.span?.line === line && d!.span.col === col && d!.message.includes(`uses \`${name}\`, which is neither a variable a chat format is given`);
        },
      ),
    );
    assert.equal(stderr, "");
  }
  // inside #with the context is the prompt string: not checked by name, rendered as nothing, silently
  writeFileSync(p, "{{#with prompt}}[{{toString}}{{constructor}}]{{/with}}{{prompt}}\n{{response}}");
  const chat = stderrOf(() => handlebarsChat(p).format("hi", "there").text);
  assert.deepEqual(chat, { stderr: "", result: "[]hi\nthere" });
  // task templates: the Handlebars runtime path and the plain-read fast path alike
  const task = stderrOf(() => [compileHandlebars("{{#if a}}{{toString}}{{constructor}}{{a.constructor}}{{/if}}{{a}}").render({ a: "x" }), compileHandlebars("{{toString}}|{{constructor}}").render({})]);
  assert.deepEqual(task, { stderr: "", result: ["x", "|"] });
});
