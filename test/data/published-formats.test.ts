// Published files read as they are (formatsP42): each layout here is the one its publisher documents —
// TRL's dataset formats (huggingface.co/docs/trl/dataset_formats, trl/data_utils.py), UltraFeedback-
// binarized's card, summarize-from-feedback's loader, SHP's card, Alpaca's alpaca_data.json, FastChat's
// ShareGPT sample — and what is checked is that the prompt, the response and the winner are the ones
// the format means: a conversational `chosen` that repeats the user turn must not train the reward
// model on the user's words, and a label must pick its own winner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { readRankings, type RankingSpec } from "../../src/data/rankings.js";
import { readDemonstrations } from "../../src/data/demos.js";
import { readRows, type Row } from "../../src/data/readers.js";
import { turnsText, type Message } from "../../src/data/messages.js";
import { DataError } from "../../src/data/diag.js";
import { buildRaw } from "../../src/data/build.js";
import { checkRecipeFile } from "../../src/check/index.js";

const rowsOf = (data: Record<string, unknown>[]): Row[] => data.map((d, i) => ({ data: d, index: i, line: i + 1, start: 0, end: 0 }));
const U = (content: string) => ({ role: "user", content });
const A = (content: string) => ({ role: "assistant", content });
const pairs = (data: Record<string, unknown>[], extra: Partial<RankingSpec> = {}) =>
  readRankings({ name: "p", file: "p.jsonl", rows: rowsOf(data), role: "pairs", responses: "responses", ranking: "ranking", chosen: "chosen", rejected: "rejected", ...extra });
const demos = (data: Record<string, unknown>[], extra: { prompt?: string; response?: string } = {}) => readDemonstrations({ name: "d", file: "d.jsonl", rows: rowsOf(data), ...extra });
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof DataError) return e.diagnostics.map((d) => `${d.code}: ${d.message}${d.hint ? ` | ${d.hint}` : ""}`).join("\n");
    throw e;
  }
  return "";
};

test("TRL's conversational preference rows, explicit and implicit prompt, and UltraFeedback-binarized's, read the same pair", () => {
  const explicit = pairs([{ prompt: [U("What color is the sky?")], chosen: [A("It is blue.")], rejected: [A("It is green.")] }]);
  const implicit = pairs([{ chosen: [U("What color is the sky?"), A("It is blue.")], rejected: [U("What color is the sky?"), A("It is green.")] }]);
  // UltraFeedback-binarized: a string prompt, and chosen/rejected that repeat the user turn ({content, role})
  const uf = pairs([{ prompt: "What color is the sky?", prompt_id: "x", chosen: [{ content: "What color is the sky?", role: "user" }, { content: "It is blue.", role: "assistant" }], rejected: [{ content: "What color is the sky?", role: "user" }, { content: "It is green.", role: "assistant" }], score_chosen: 8, score_rejected: 4 }]);
  for (const g of [explicit, implicit, uf]) {
    assert.equal(g[0]!.prompt, "What color is the sky?");
    assert.deepEqual(g[0]!.responses, ["It is blue.", "It is green."]);
    assert.deepEqual(g[0]!.pairs, [[0, 1]]);
  }
});

// a conversation before the answers: user first, turns alternating, ending on a user turn
const text = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== "");
const history = fc.array(text, { minLength: 1, maxLength: 3 }).chain((users) => fc.array(text, { minLength: users.length - 1, maxLength: users.length - 1 }).map((answers) => users.flatMap((u, i) => (i < answers.length ? [U(u), A(answers[i]!)] : [U(u)]))));

test("property: every conversational preference layout reads the shared turns as the prompt and only the answers as responses", () => {
  fc.assert(
    fc.property(history, text, text, fc.option(text, { nil: undefined }), (h, a, b, system) => {
      fc.pre(a !== b);
      const head = system === undefined ? h : [{ role: "system", content: system }, ...h];
      const layouts = [
        { chosen: [...head, A(a)], rejected: [...head, A(b)] }, // implicit
        { prompt: head, chosen: [A(a)], rejected: [A(b)] }, // explicit
        { prompt: h[h.length - 1]!.content, chosen: [...head, A(a)], rejected: [...head, A(b)] }, // UltraFeedback's
      ];
      for (const row of layouts) {
        const [g] = pairs([row]);
        assert.equal(g!.prompt, turnsText(h as Message[]));
        assert.deepEqual(g!.responses, [a, b]);
        assert.equal(g!.system, system);
      }
    }),
    { numRuns: 150 },
  );
});

test("one conversation as both chosen and rejected is a tie, left out and counted; a response that starts with a user turn is a located error", () => {
  const same = { count: 0 };
  const conv = [U("q"), A("a")];
  assert.deepEqual(pairs([{ chosen: conv, rejected: conv }, { chosen: [U("r"), A("x")], rejected: [U("r"), A("y")] }], { sameSkipped: same }).length, 1);
  assert.equal(same.count, 1);
  const m = message(() => pairs([{ chosen: [U("q"), A("a"), U("more")], rejected: [U("q"), A("a"), U("other")] }]));
  assert.match(m, /AL3004: `chosen\[2\]` is a user turn where the response starts: a response starts with an assistant turn/);
  assert.match(message(() => pairs([{ chosen: [A("a")], rejected: [A("b")] }])), /AL3003: `chosen` and `rejected` share no leading message and the row has no prompt messages/);
  // reviewR42 M1: an implicit prompt whose user turn is empty is a comparison of answers to nothing
  assert.match(message(() => pairs([{ chosen: [U(" "), A("a")], rejected: [U(" "), A("b")] }])), /AL3033: empty prompt/);
  // M2: shared turns that start with the answer are no prompt; a string prompt that is neither the shared
  // turns nor one of their user turns is said (TRL would drop it for the shared turns without a word)
  assert.match(message(() => pairs([{ chosen: [A("Sure."), U("more"), A("X")], rejected: [A("Sure."), U("more"), A("Y")] }])), /AL3004: .*prompt starts with an assistant turn/);
  assert.match(message(() => pairs([{ prompt: "Q", chosen: [U("other"), A("X")], rejected: [U("other"), A("Y")] }])), /AL3004: `prompt` is not the turns `chosen` and `rejected` both start with/);
  // UltraFeedback-binarized's own rows: the prompt is the repeated user turn, whitespace aside
  assert.equal(pairs([{ prompt: "Q  two", chosen: [U("Q two"), A("X")], rejected: [U("Q two"), A("Y")] }])[0]!.prompt, "Q two");
});

test("SHP and summarize-from-feedback: chosen/rejected templates over the label pick the labelled winner", () => {
  const shp = (labels: number) => ({ history: "h", human_ref_A: "A says", human_ref_B: "B says", labels, score_A: 3, score_B: 1 });
  const tpl = { promptTemplate: "{{history}}", chosen: "{{#if labels}}{{human_ref_A}}{{else}}{{human_ref_B}}{{/if}}", rejected: "{{#if labels}}{{human_ref_B}}{{else}}{{human_ref_A}}{{/if}}" };
  // SHP's card: labels 1 prefers A, 0 prefers B
  assert.deepEqual(pairs([shp(1), shp(0)], tpl).map((g) => g.responses[0]), ["A says", "B says"]);
  // the templates without a prompt: said as what they need (it was hh-rlhf's transcript message, quoting the
  // templates as field names: reviewR42 L3)
  assert.match(message(() => pairs([shp(1)], { chosen: tpl.chosen, rejected: tpl.rejected })), /AL3003: `chosen` and `rejected` are templates, which render the two answers: the row needs a prompt beside them/);
  const sff = (choice: number) => ({ info: { id: "t3_1", post: "a post", title: "t", subreddit: "s" }, split: "train", summaries: [{ text: " zero", policy: "sup2", note: null }, { text: " one", policy: "ref", note: null }], choice, worker: "w", batch: "batch3", extra: {} });
  const g = pairs([sff(0), sff(1)], { promptTemplate: "{{info.post}}", chosen: "{{#if choice}}{{summaries.1.text}}{{else}}{{summaries.0.text}}{{/if}}", rejected: "{{#if choice}}{{summaries.0.text}}{{else}}{{summaries.1.text}}{{/if}}" });
  assert.deepEqual(g.map((x) => [x.prompt, ...x.responses]), [["a post", " zero", " one"], ["a post", " one", " zero"]]);
  // summarize-from-feedback's CNN/DM rows have `info.post` null: a comparison of answers to nothing, refused at the row
  const cnn = { ...sff(1), info: { id: "c1", post: null, article: "An article.", site: "cnn" } };
  assert.match(message(() => pairs([cnn], { promptTemplate: "{{info.post}}", chosen: "{{summaries.0.text}}", rejected: "{{summaries.1.text}}" })), /AL3033: empty prompt \(its template prints nothing for this row\)/);
  assert.equal(pairs([cnn], { promptTemplate: "{{#if info.post}}{{info.post}}{{else}}{{info.article}}{{/if}}", chosen: "{{summaries.0.text}}", rejected: "{{summaries.1.text}}" })[0]!.prompt, "An article.");
  // and so is a pair or ranking whose `prompt` field is empty (or blank), as a demonstration's is
  assert.match(message(() => pairs([{ prompt: "  ", chosen: "a", rejected: "b" }])), /AL3033: empty prompt \(field `prompt`\)/);
  assert.match(message(() => readRankings({ name: "r", file: "r.jsonl", rows: rowsOf([{ prompt: "", responses: ["a", "b"], ranking: [0, 1] }]), role: "rankings", responses: "responses", ranking: "ranking", chosen: "chosen", rejected: "rejected" })), /AL3033: empty prompt/);
  // without the templates: said of `chosen`, with the mapping to write (it was "missing field `responses`")
  const m = message(() => pairs([shp(1)], { promptTemplate: "{{history}}" }));
  assert.match(m, /AL3003: missing field `chosen` \(fields present: history, human_ref_A, human_ref_B, labels, score_A, score_B\): a source `as pairs` reads `chosen` and `rejected`, each a field's name or a template/);
  assert.doesNotMatch(m, /`responses`/);
});

test("TRL's standard implicit-prompt strings are refused, saying why and what the file needs", () => {
  const m = message(() => pairs([{ chosen: "The sky is blue.", rejected: "The sky is green." }]));
  assert.match(m, /AL3022: `chosen` and `rejected` share no prefix ending at an "Assistant:" turn, so they are not hh-rlhf transcripts.*TRL's implicit-prompt rows.*needs its prompt in a `prompt` field/);
  // TRL's standard rows with the prompt apart read as ever
  assert.deepEqual(pairs([{ prompt: "The sky is", chosen: " blue.", rejected: " green." }])[0]!.responses, [" blue.", " green."]);
});

test("SFT conversations: ShareGPT's conversations, TRL's messages and prompt-completion, Alpaca's array", () => {
  const sg = demos([{ id: "identity_0", conversations: [{ from: "human", value: "Who are you?" }, { from: "gpt", value: "I am Vicuna." }, { from: "human", value: "Have a nice day!" }, { from: "gpt", value: "You too!" }] }]);
  // one example per assistant turn, each with the turns before it (engine epoch 38: the last alone was trained on)
  assert.deepEqual(
    sg.map((e) => [e.id, e.prompt, e.response]),
    [
      ["d:0/1", "Who are you?", "I am Vicuna."],
      ["d:0", "Who are you?\n\nAssistant: I am Vicuna.\n\nUser: Have a nice day!", "You too!"],
    ],
  );
  const ms = demos([{ messages: [{ role: "system", content: "Be brief." }, U("What color is grass?"), A("Green.")] }]);
  assert.deepEqual([ms[0]!.system, ms[0]!.prompt, ms[0]!.response], ["Be brief.", "What color is grass?", "Green."]);
  assert.deepEqual(demos([{ prompt: "The sky is", completion: " blue." }]).map((e) => [e.prompt, e.response]), [["The sky is", " blue."]]);
  assert.deepEqual(demos([{ prompt: [U("What color is the sky?")], completion: [A("It is blue.")] }]).map((e) => [e.prompt, e.response]), [["What color is the sky?", "It is blue."]]);
  assert.deepEqual(demos([{ instruction: "Categorize", input: "Banana", output: "Non-citrus fruit." }]).map((e) => [e.prompt, e.response]), [["Categorize\n\nBanana", "Non-citrus fruit."]]);
  // a template keeps the field layouts: `messages` read by the recipe's own mapping
  assert.equal(demos([{ messages: [U("q"), A("a")] }], { prompt: "{{messages.0.content}}", response: "{{messages.1.content}}" })[0]!.response, "a");
  // a conversation that ends on a user turn answers nothing
  assert.match(message(() => demos([{ messages: [U("q"), A("a"), U("and?")] }])), /AL3004: `messages` ends with a user turn after its last assistant turn/);
  assert.match(message(() => demos([{ prompt: "The sky is" }])), /AL3003: missing field `response`: the row holds a prompt alone \(TRL's prompt-only layout\)/);
});

test("property: a conversation is one example per assistant turn, each with the turns before it as its prompt", () => {
  fc.assert(
    fc.property(fc.array(history.chain((h) => text.map((a) => [...h, A(a)])), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 1000 }), (convs, seed) => {
      const exs = demos(convs.map((messages) => ({ messages })));
      // every assistant turn is trained on, its prompt every turn before it
      assert.equal(exs.length, convs.reduce((n, c) => n + c.filter((m) => m.role === "assistant").length, 0));
      for (const e of exs) {
        const c = convs[e.meta.row!]!;
        const k = c.findIndex((m, i) => m.role === "assistant" && turnsText(c.slice(0, i) as Message[]) === e.prompt && m.content === e.response);
        assert.ok(k > 0, JSON.stringify(e));
      }
    }),
    { numRuns: 100 },
  );
});

test("a conversation's examples are held out together: a held-out answer is never inside a training prompt", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-conv-split-"));
  try {
    const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ messages: [U(`q${i}`), A(`a${i}`), U(`more ${i}`), A(`b${i}`), U(`last ${i}`), A(`c${i}`)] }));
    writeFileSync(join(dir, "chats.jsonl"), `${rows.join("\n")}\n`);
    writeFileSync(join(dir, "r.align"), 'recipe r { seed = 3 }\nsource chats = jsonl("chats.jsonl") as demonstrations { holdout = 0.5 }\n');
    const { recipe } = await checkRecipeFile(join(dir, "r.align"));
    const built = await buildRaw(recipe!, "chats");
    assert.ok(built.kind === "sft");
    assert.equal(built.train.length + built.heldout.length, 120);
    const heldRows = new Set(built.heldout.map((e) => e.meta.row));
    assert.ok(heldRows.size > 0 && heldRows.size < 40);
    assert.deepEqual(built.train.filter((e) => heldRows.has(e.meta.row)).map((e) => e.id), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a JSON Lines file read with json(\"…\") says to read it with jsonl (SHP's train.json, summarize-from-feedback's batch3.json)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-published-"));
  try {
    const f = join(dir, "train.json");
    writeFileSync(f, '{"history": "h", "labels": 1}\n{"history": "i", "labels": 0}\n');
    const m = await readRows(f, "json").then(() => "", (e: unknown) => (e instanceof DataError ? e.diagnostics.map((d) => `${d.message} | ${d.hint}`).join("\n") : String(e)));
    assert.match(m, /not valid JSON .* \| the file holds one JSON object per line \(JSON Lines, whatever its name\): read it with jsonl\("…"\)/);
    writeFileSync(f, '{"history": "h", "labels": 1}\n');
    assert.match(await readRows(f, "json").then(() => "", (e: DataError) => e.diagnostics[0]!.hint ?? ""), /read it with jsonl/);
    assert.equal((await readRows(f, "jsonl")).rows.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
