// A source's `encoding`: a file that is not UTF-8 fails (located, with the byte offset) unless its
// encoding is declared; declared, it loads byte-correct (every encoding kinds.ts lists); a byte the
// declared encoding cannot decode is still an error; the declaration enters the plan hash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeFile } from "../../src/check/index.js";
import { ENCODINGS } from "../../src/check/kinds.js";
import { buildExamples } from "../../src/data/build.js";
import type { DataError } from "../../src/data/diag.js";
import { readRows } from "../../src/data/readers.js";
import { countRows } from "../../src/data/count-rows.js";
import { compile } from "../../src/compile.js";
import { located } from "./located.js";

function recipeWith(dir: string, source: string): string {
  const p = join(dir, "r.align");
  writeFileSync(
    p,
    `recipe r { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  context = 256 }
${source}
stage sft = sft { init = tiny  data = d  steps = 1 }
`,
  );
  return p;
}

test("a latin1 file fails without `encoding` (file:line, byte offset) and loads byte-correct with it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-enc-"));
  // "Où est le café ?" / "Très bien." in ISO-8859-1: ù = F9, é = E9, è = E8
  writeFileSync(join(dir, "fr.jsonl"), Buffer.concat([Buffer.from('{"prompt": "Bonjour", "response": "Salut"}\n{"prompt": "O'), Buffer.from([0xf9]), Buffer.from(" est le caf"), Buffer.from([0xe9]), Buffer.from(' ?", "response": "Tr'), Buffer.from([0xe8]), Buffer.from('s bien."}\n')]));
  const bare = await checkRecipeFile(recipeWith(dir, `source d = jsonl("fr.jsonl") as demonstrations {}`));
  assert.ok(bare.recipe, JSON.stringify(bare.diagnostics));
  await assert.rejects(buildExamples(bare.recipe, "d"), (e: DataError) => {
    const d = e.diagnostics[0]!;
    assert.equal(d.code, "AL3002");
    assert.match(located(d), /fr\.jsonl:2: not UTF-8: byte 0xf9 at byte offset 56/);
    assert.equal(d.span?.line, 2);
    assert.match(d.hint ?? "", /encoding = "latin1"/);
    return true;
  });
  const declared = await checkRecipeFile(recipeWith(dir, `source d = jsonl("fr.jsonl") as demonstrations { encoding = "latin1" }`));
  assert.ok(declared.recipe, JSON.stringify(declared.diagnostics));
  const built = await buildExamples(declared.recipe, "d");
  assert.equal(built.kind, "sft");
  if (built.kind !== "sft") return;
  const second = built.train.find((e) => e.prompt.startsWith("O"))!;
  assert.equal(second.prompt, "Où est le café ?");
  assert.equal(second.response, "Très bien.");
  // an encoding outside the list is a checker error, located
  const bad = await checkRecipeFile(recipeWith(dir, `source d = jsonl("fr.jsonl") as demonstrations { encoding = "ebcdic" }`));
  assert.ok(bad.diagnostics.some((d) => d.severity === "error" && d.span !== null && /encoding/.test(d.message)), JSON.stringify(bad.diagnostics));
});

test("every listed encoding reads its own bytes as the right text (JSONL, CSV, text, JSON); row counts agree", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-encs-"));
  const ascii = (s: string) => [...Buffer.from(s)];
  // "x" then a word whose bytes are the encoding's own (hand-written: Node encodes only UTF-8)
  const word: Record<(typeof ENCODINGS)[number], [string, number[]]> = {
    "utf-8": ["café", [...Buffer.from("café")]],
    latin1: ["café\u0085", [0x63, 0x61, 0x66, 0xe9, 0x85]], // 0x85 stays U+0085 (ISO-8859-1, not windows-1252's …)
    "windows-1252": ["€…", [0x80, 0x85]],
    "iso-8859-15": ["€œ", [0xa4, 0xbd]],
    "utf-16le": ["日本", [0xe5, 0x65, 0x2c, 0x67]],
    "utf-16be": ["日本", [0x65, 0xe5, 0x67, 0x2c]],
    shift_jis: ["日本", [0x93, 0xfa, 0x96, 0x7b]],
    "euc-jp": ["日本", [0xc6, 0xfc, 0xcb, 0xdc]],
    gb18030: ["中文", [0xd6, 0xd0, 0xce, 0xc4]],
    big5: ["中文", [0xa4, 0xa4, 0xa4, 0xe5]],
    "euc-kr": ["한국", [0xc7, 0xd1, 0xb1, 0xb9]],
  };
  assert.deepEqual(Object.keys(word).sort(), [...ENCODINGS].sort(), "every listed encoding is tested");
  for (const enc of ENCODINGS) {
    const [text, bytes] = word[enc];
    // ASCII text in UTF-16 is two bytes a character
    const wide = (s: string): number[] => (enc === "utf-16le" ? [...Buffer.from(s, "utf16le")] : enc === "utf-16be" ? [...Buffer.from(s, "utf16le").swap16()] : ascii(s));
    const file = (name: string, parts: (string | number[])[]) => {
      const p = join(dir, `${enc}.${name}`);
      writeFileSync(p, Buffer.from(parts.flatMap((x) => (typeof x === "string" ? wide(x) : x))));
      return p;
    };
    const jl = file("jsonl", ['{"t": "a"}\n{"t": "', bytes, '"}\n']);
    const rows = await readRows(jl, "jsonl", { encoding: enc });
    assert.equal(rows.rows[1]!.data.t, text, `${enc} jsonl`);
    assert.equal(await countRows(jl, "jsonl", enc), 2, `${enc} jsonl rows`);
    const csv = file("csv", ["t,u\n1,", bytes, "\n"]);
    assert.equal((await readRows(csv, "csv", { encoding: enc })).rows[0]!.data.u, text, `${enc} csv`);
    const txt = file("txt", ["a\n", bytes, "\n"]);
    assert.equal((await readRows(txt, "text", { encoding: enc })).rows[1]!.data.text, text, `${enc} text`);
    assert.equal(await countRows(txt, "text", enc), 2, `${enc} text rows`);
    const json = file("json", ['[{"t": "', bytes, '"}]']);
    assert.equal((await readRows(json, "json", { encoding: enc })).rows[0]!.data.t, text, `${enc} json`);
  }
});

test("a byte the declared encoding cannot decode is an error with its offset", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-encbad-"));
  const f = join(dir, "sj.jsonl");
  // 0x85 0x20 is no Shift_JIS character (0x20 cannot trail)
  writeFileSync(f, Buffer.concat([Buffer.from('{"t": "a"}\n{"t": "'), Buffer.from([0x85, 0x20]), Buffer.from('"}\n')]));
  await assert.rejects(readRows(f, "jsonl", { encoding: "shift_jis" }), (e: DataError) => /sj\.jsonl:2: not shift_jis: byte 0x[0-9a-f]{2} at byte offset 1[89]/.test(located(e.diagnostics[0]!)) && e.diagnostics[0]!.span?.line === 2);
});

test("the declared encoding enters the source's plan hash", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-enchash-"));
  writeFileSync(join(dir, "d.jsonl"), '{"prompt": "a", "response": "b"}\n');
  const hash = async (props: string) => {
    const r = await compile(recipeWith(dir, `source d = jsonl("d.jsonl") as demonstrations { ${props} }`), { measure: false, machine: false, cache: false });
    assert.ok(r.plan, JSON.stringify(r.diagnostics));
    return r.plan.nodes.find((n) => n.id === "d")!;
  };
  const none = await hash("");
  const latin = await hash(`encoding = "latin1"`);
  assert.equal(latin.params.encoding, "latin1");
  assert.notEqual(latin.hash, none.hash);
  assert.equal(none.params.encoding, undefined, "left out, it is not filled in (hashes of existing recipes stay)");
});
