// The engines' own configuration surfaces, dumped at fixed versions into ../shared/data/export/
// (see its README): Axolotl's JSON Schema, OpenRLHF's argparse flags, TRL's config dataclass fields.
// No engine can be installed here, so these files are how exports are validated offline.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "../../common/repo-root.js";

export interface OpenRLHFFlag {
  flag: string; // "--adam.lr"
  dest: string;
  type: "str" | "int" | "float" | null;
  nargs: null | 0 | 2 | "*" | "+" | "?" | number;
  choices: (string | number)[] | null;
  default: unknown;
  kind: string; // _StoreAction | _StoreTrueAction | _StoreFalseAction
}

/** module ("train_sft" …) → its flags */
export type OpenRLHFFlags = Record<string, OpenRLHFFlag[]>;

export interface TRLField {
  type: string; // Python annotation as text: "float | None"
  default: string | null;
}
export interface TRLClass {
  file: string;
  bases: string[];
  fields: Record<string, TRLField>;
}
export type TRLFields = Record<string, TRLClass>;

/** `../shared/data/export` next to the repository root, or $ALIGNC_SHARED/data/export. */
export function defaultSchemaDir(): string {
  if (process.env.ALIGNC_SHARED) return join(process.env.ALIGNC_SHARED, "data", "export");
  return resolve(repoRoot(), "..", "shared", "data", "export");
}

export const SCHEMA_FILES = {
  axolotl: "axolotl_v0.18.0-9_config_schema.json",
  openrlhf: { "0.7.0.post1": "openrlhf_v0.7.0.post1_flags.json", "0.11.0": "openrlhf_v0.11.0_flags.json" },
  trl: "trl_v1.9.0-26_config_fields.json",
} as const;

export function schemasAvailable(dir = defaultSchemaDir()): boolean {
  return existsSync(join(dir, SCHEMA_FILES.axolotl));
}

/** Python's json.dump writes Infinity/NaN bare; JSON.parse refuses them. They only occur as defaults. */
function parsePythonJson(text: string): unknown {
  return JSON.parse(text.replace(/:\s*(-?Infinity|NaN)(?=\s*[,}\]])/g, ": null"));
}

export function loadAxolotlSchema(dir = defaultSchemaDir()): Record<string, unknown> {
  return parsePythonJson(readFileSync(join(dir, SCHEMA_FILES.axolotl), "utf8")) as Record<string, unknown>;
}

export function loadOpenRLHFFlags(version: keyof typeof SCHEMA_FILES.openrlhf, dir = defaultSchemaDir()): OpenRLHFFlags {
  const raw = parsePythonJson(readFileSync(join(dir, SCHEMA_FILES.openrlhf[version]), "utf8")) as Record<string, OpenRLHFFlag[]>;
  const out: OpenRLHFFlags = {};
  // keys are "train_sft.py" or "openrlhf_v0.7.0.post1_train_sft.py": normalise to the module name
  for (const [key, flags] of Object.entries(raw)) out[/(train_[a-z_]+)\.py$/.exec(key)?.[1] ?? key] = flags;
  return out;
}

export function loadTRLFields(dir = defaultSchemaDir()): TRLFields {
  const raw = parsePythonJson(readFileSync(join(dir, SCHEMA_FILES.trl), "utf8")) as Record<string, unknown>;
  const out: TRLFields = {};
  for (const [k, v] of Object.entries(raw)) if (k !== "_meta") out[k] = v as TRLClass;
  return out;
}
