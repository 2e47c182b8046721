import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "yaml";
import { PYYAML_FLOAT, pyYamlFloat, toYaml } from "../../src/export/yaml.js";

test("YAML 1.1 booleans and other look-alikes are quoted", () => {
  const words = ["no", "No", "NO", "off", "Off", "OFF", "yes", "on", "y", "n", "Y", "N", "true", "False", "null", "~", "1:20", "010", "0x1F", "1e5"];
  const text = toYaml(Object.fromEntries(words.map((w, i) => [`k${i}`, w])));
  for (const w of words) assert.ok(!new RegExp(`: ${w.replace(/[~]/g, "\\~")}$`, "m").test(text), `${w} left plain:\n${text}`);
  // a YAML 1.1 reader gets the strings back
  const back = parse(text, { version: "1.1" }) as Record<string, unknown>;
  words.forEach((w, i) => assert.equal(back[`k${i}`], w));
});

test("keys that look like YAML 1.1 booleans are quoted too", () => {
  assert.match(toYaml({ n: 1, y: 2 }), /^"n": 1\n"y": 2\n$/);
});

test("a key named << stays a key: quoted, not YAML 1.1's merge key (fast-check seed -1863685778)", () => {
  const text = toYaml({ "<<": [], a: { "<<": "x" } });
  assert.equal(text, '"<<": []\na:\n  "<<": x\n');
  assert.deepEqual(parse(text, { version: "1.1" }), { "<<": [], a: { "<<": "x" } });
});

test("a value or key `=` is quoted: PyYAML reads a plain one as YAML 1.1's value type, which safe_load refuses", () => {
  const text = toYaml({ a: "=", "=": 1 });
  assert.equal(text, 'a: "="\n"=": 1\n');
  assert.deepEqual(parse(text, { version: "1.1" }), { a: "=", "=": 1 });
});

test("for any finite non-integer float, the text matches PyYAML's float pattern and reads back exactly", () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).filter((x) => !Number.isInteger(x)), (x) => {
      const s = pyYamlFloat(x);
      assert.match(s, PYYAML_FLOAT);
      assert.equal(Number(s), x);
      const back = parse(toYaml({ v: x }), { version: "1.1" }) as { v: number };
      assert.equal(back.v, x);
    }),
  );
});

test("small learning rates are written PyYAML reads as floats (1e-7 → 1.0e-7)", () => {
  assert.equal(toYaml({ lr: 1e-7 }), "lr: 1.0e-7\n");
  assert.equal(toYaml({ lr: 5e-4 }), "lr: 0.0005\n");
});

test("for any JSON-like value, emit then parse as YAML 1.1 gives it back", () => {
  // YAML 1.1's look-alikes (bools, null, merge `<<`, value `=`, dates, sexagesimal, binary, `_` digits)
  const lookAlike = fc.constantFrom("no", "off", "on", "yes", "y", "N", "", "null", "~", "<<", "=", "2001-12-14", "1:20:30", "0b1", "1_000", ".inf", ".nan");
  const scalar = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.boolean(), fc.integer(), lookAlike);
  const key = fc.oneof(fc.string({ minLength: 1 }), lookAlike.filter((k) => k !== ""));
  const value = fc.dictionary(key, fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(key, scalar, { maxKeys: 3, noNullPrototype: true })), {
    maxKeys: 6,
    noNullPrototype: true,
  });
  fc.assert(
    fc.property(value, (v) => {
      assert.deepEqual(parse(toYaml(v), { version: "1.1" }), v);
    }),
  );
});
