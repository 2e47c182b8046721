// YAML for engines that read it with PyYAML (TRL via HfArgumentParser, Axolotl, accelerate). PyYAML
// speaks YAML 1.1, where `no`, `off`, `y`, `on` are booleans and `1e-5` (no dot) is a string: a
// value that means the right thing in YAML 1.2 would silently mean something else there. So we emit
// with the yaml package's 1.1 schema (it quotes every string a 1.1 reader would take for a bool,
// number or null) and write floats in the form PyYAML's float pattern accepts (`1.0e-7`).
import { stringify } from "yaml";
import type { ScalarTag } from "yaml";

/** PyYAML's float pattern (YAML 1.1): a dot is required, an exponent needs its sign. */
export const PYYAML_FLOAT = /^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?$/;

/** A non-integer number written so PyYAML reads it back as the same float. */
export function pyYamlFloat(value: number): string {
  const s = String(value);
  if (!s.includes("e")) return s; // 0.0005: JS already writes a dot
  const [mantissa, exp] = s.split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}e${exp.startsWith("-") ? exp : `+${exp}`}`;
}

const pyFloat: ScalarTag = {
  identify: (v: unknown) => typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v),
  default: true,
  tag: "tag:yaml.org,2002:float",
  test: PYYAML_FLOAT,
  resolve: (s: string) => parseFloat(s.replace(/_/g, "")),
  stringify: ({ value }) => pyYamlFloat(value as number),
};

// YAML 1.1's merge key: a plain `<<` key is read as "merge the mapping here", so a config key named
// `<<` would vanish. The yaml package's 1.1 schema turns the string "<<" into that merge key when it
// builds the document; a copy of the tag that identifies nothing leaves it a string, which the
// stringifier then quotes (the tag still tests `<<` as a look-alike).
const MERGE_TAG = "tag:yaml.org,2002:merge";

// YAML 1.1's value key `=`: PyYAML resolves a plain `=` to tag:yaml.org,2002:value and safe_load
// refuses it (ConstructorError), a type the yaml package does not know, so it would write `a: =` plain.
// A tag that identifies nothing and tests `=` makes the stringifier quote it.
const pyValue: ScalarTag = {
  identify: () => false,
  default: true,
  tag: "tag:yaml.org,2002:value",
  test: /^=$/,
  resolve: (s: string) => s,
};

/** YAML text of a plain JSON value, safe for YAML 1.1 readers; keys keep their insertion order. */
export function toYaml(value: unknown): string {
  return stringify(value, {
    version: "1.1",
    customTags: (tags) => [pyFloat, pyValue, ...tags.map((t) => (typeof t === "object" && t.tag === MERGE_TAG ? { ...t, identify: () => false } : t))],
    lineWidth: 0, // never fold long strings: chat templates must round-trip byte for byte
  });
}
