// What a model is asked at eval time (a win rate's two sides, an accuracy eval, a best-of or samples
// draw): every generating eval builds its prompt ids with askedIds, which keeps each prompt's system text
// where training put it (the evals asked the bare prompt until engine epoch 29; review33 M2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { handlebarsChat } from "../../src/data/chat.js";
import { byteLevel } from "../../src/data/tokenizers.js";
import { askedIds } from "../../src/run/nodes/tokens.js";

test("askedIds: each prompt with its system text, as the format places it; the last `room` tokens of a long one", () => {
  const tok = byteLevel();
  const fmt = handlebarsChat("plain.hbs", "{{#if system}}{{system}}\n{{/if}}User: {{prompt}}\nAssistant: {{response}}");
  const ids = askedIds(fmt, tok, [{ prompt: "Say hi.", system: "Be terse." }, { prompt: "Say hi." }], 1000);
  assert.equal(tok.decode(ids[0]!), "Be terse.\nUser: Say hi.\nAssistant: ");
  assert.equal(tok.decode(ids[1]!), "User: Say hi.\nAssistant: ");
  assert.equal(tok.decode(askedIds(fmt, tok, [{ prompt: "Say hi.", system: "Be terse." }], 12)[0]!), "\nAssistant: ", "the prompt's end is kept");
  assert.equal(askedIds(fmt, tok, [{ prompt: "x" }], 0)[0]!.length, 1, "never less than one token");
});
