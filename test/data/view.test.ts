// `alignc data`'s preview of ranked comparisons: one line per response, in rank order; a response's
// own control characters are escaped, the line breaks between responses are not (they were shown
// as `\x0a`, all responses on one line).
import { test } from "node:test";
import assert from "node:assert/strict";
import { previewGroups } from "../../src/data/view.js";

test("previewGroups puts each ranked response on its own line and escapes only what is inside them", () => {
  const group = { id: "prefs:0", prompt: "Add 3 and 3.", responses: ["7", "6", "six\u001b[2J"], pairs: [[1, 0], [1, 2], [2, 0]] as [number, number][], ranks: [2, 0, 1], meta: { source: "prefs", row: 0 } };
  const out = previewGroups([group], 1, { color: false });
  assert.deepEqual(out.split("\n"), ["── prefs:0  (K = 3, 3 pairs)", "Add 3 and 3.", '  B rank 0: "6"', '  C rank 1: "six\\u001b[2J"', '  A rank 2: "7"']);
});
