// Offline validation of a whole export folder: each config against its engine's dumped surface
// (../shared/data/export), and the files against each other: every data file a config names exists
// and each of its rows has the keys that config tells the engine to read.
import { parse } from "yaml";
import type { ExportFile } from "../types.js";
import { makeAxolotlValidator, type AxolotlValidator } from "./axolotl.js";
import { parseArgsFile, validateOpenRLHFArgv } from "./openrlhf.js";
import { defaultSchemaDir, loadAxolotlSchema, loadOpenRLHFFlags, loadTRLFields, type OpenRLHFFlags, type TRLFields } from "./schemas.js";
import { validateAccelerateConfig, validateTRLConfig, validateTRLFlags } from "./trl.js";

export interface Surfaces {
  axolotl: AxolotlValidator;
  openrlhf: Record<string, OpenRLHFFlags>;
  trl: TRLFields;
}

let cached: Surfaces | undefined;
export function loadSurfaces(dir = defaultSchemaDir()): Surfaces {
  if (cached) return cached;
  cached = {
    axolotl: makeAxolotlValidator(loadAxolotlSchema(dir)),
    openrlhf: { "0.7.0.post1": loadOpenRLHFFlags("0.7.0.post1", dir), "0.11.0": loadOpenRLHFFlags("0.11.0", dir) },
    trl: loadTRLFields(dir),
  };
  return cached;
}

type Rows = Record<string, unknown>[];

function readRows(files: Map<string, ExportFile>, path: string, errors: string[], from: string): Rows | null {
  const f = files.get(path.replace(/^\.\//, "")); // PPO's arguments name the folder's paths as ./data/…
  if (!f) {
    errors.push(`${from}: names ${path}, which the export does not contain`);
    return null;
  }
  return f.content
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function requireKeys(rows: Rows | null, keys: Record<string, "string" | "messages">, errors: string[], where: string): void {
  if (!rows) return;
  if (rows.length === 0) errors.push(`${where}: no rows`);
  rows.forEach((r, i) => {
    for (const [k, t] of Object.entries(keys)) {
      const v = r[k];
      if (t === "string" && typeof v !== "string") errors.push(`${where} row ${i + 1}: \`${k}\` must be a string`);
      if (t === "messages" && !(Array.isArray(v) && v.every((m) => m && typeof m === "object" && typeof (m as Record<string, unknown>).role === "string" && typeof (m as Record<string, unknown>).content === "string")))
        errors.push(`${where} row ${i + 1}: \`${k}\` must be a list of {role, content}`);
    }
  });
}

/** path → errors, for every file of an export that has something to check. */
export function validateExport(files: readonly ExportFile[], surfaces: Surfaces): Map<string, string[]> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const out = new Map<string, string[]>();
  for (const f of files) {
    const errors: string[] = [];
    const c = f.check;
    if (!c) continue;
    if (c.as === "trl-yaml") {
      const cfg = parse(f.content, { version: "1.1" }) as Record<string, unknown>;
      errors.push(...validateTRLConfig(cfg, c.entry, surfaces.trl));
      const dir = String(cfg.dataset_name);
      const keys: Record<string, "string"> =
        c.entry === "sft" ? (typeof cfg.dataset_text_field === "string" ? { [cfg.dataset_text_field]: "string" } : { prompt: "string", completion: "string" }) : { prompt: "string", chosen: "string", rejected: "string" };
      requireKeys(readRows(byPath, `${dir}/${String(cfg.dataset_train_split)}.jsonl`, errors, f.path), keys, errors, `${dir}/train.jsonl`);
      if (cfg.dataset_test_split) requireKeys(readRows(byPath, `${dir}/${String(cfg.dataset_test_split)}.jsonl`, errors, f.path), keys, errors, `${dir}/test.jsonl`);
    } else if (c.as === "trl-flags") {
      const argv = parseArgsFile(f.content);
      errors.push(...validateTRLFlags(argv, c.entry, surfaces.trl));
      const at = argv.indexOf("--dataset_name");
      if (at >= 0) requireKeys(readRows(byPath, `${argv[at + 1]}/train.jsonl`, errors, f.path), { prompt: "string" }, errors, `${argv[at + 1]}/train.jsonl`);
    } else if (c.as === "openrlhf-args") {
      const flags = surfaces.openrlhf[c.version]?.[c.module];
      if (!flags) errors.push(`no flag list for ${c.module} in OpenRLHF ${c.version}`);
      else {
        const argv = parseArgsFile(f.content);
        errors.push(...validateOpenRLHFArgv(argv, flags));
        const get = (...names: string[]) => {
          for (const n of names) {
            const i = argv.indexOf(n);
            if (i >= 0) return argv[i + 1];
          }
          return undefined;
        };
        const keyFlags = ["input_key", "output_key", "prompt_key", "chosen_key", "rejected_key"];
        const keys: Record<string, "string"> = {};
        for (const k of keyFlags) {
          const v = get(`--${k}`, `--data.${k}`);
          if (v) keys[v] = "string";
        }
        for (const d of [get("--dataset", "--data.dataset", "--prompt_data", "--data.prompt_dataset"), get("--eval_dataset", "--eval.dataset")])
          if (d) requireKeys(readRows(byPath, d, errors, f.path), keys, errors, d);
        const ptx = get("--pretrain_data");
        const input = get("--input_key");
        if (ptx && input) requireKeys(readRows(byPath, ptx, errors, f.path), { [input]: "string" }, errors, ptx);
      }
    } else if (c.as === "axolotl-yaml") {
      const cfg = parse(f.content, { version: "1.1" }) as Record<string, unknown>;
      errors.push(...surfaces.axolotl(cfg));
      for (const list of ["datasets", "test_datasets"]) {
        for (const ds of (cfg[list] as Record<string, unknown>[] | undefined) ?? []) {
          const path = String(ds.path);
          const type = String(ds.type);
          // the dataset keys axolotl reads when the exported config names none: axolotl's own defaults
          // (this checks an exported file as axolotl will read it), not alignc parameters
          const keys: Record<string, "string" | "messages"> =
            type === "completion" ? { [String(ds.field ?? "text")]: "string" }
            : type === "chat_template" ? { [String(ds.field_messages ?? "messages")]: "messages" }
            : type === "bradley_terry.chat_template" ? { system: "string", input: "string", chosen: "string", rejected: "string" }
            : type === "chat_template.default" ? { [String(ds.field_messages ?? "messages")]: "messages", [String(ds.field_chosen ?? "chosen")]: "string", [String(ds.field_rejected ?? "rejected")]: "string" }
            : {};
          if (!Object.keys(keys).length) errors.push(`${list}: dataset type ${type} is not one alignc writes`);
          requireKeys(readRows(byPath, path, errors, f.path), keys, errors, path);
        }
      }
      if (typeof cfg.deepspeed === "string" && !byPath.has(cfg.deepspeed)) errors.push(`deepspeed: ${cfg.deepspeed} is not in the export`);
    } else if (c.as === "accelerate-yaml") {
      errors.push(...validateAccelerateConfig(parse(f.content, { version: "1.1" }) as Record<string, unknown>));
    } else if (c.as === "json") {
      try {
        JSON.parse(f.content);
      } catch (e) {
        errors.push(`not JSON: ${(e as Error).message}`);
      }
    }
    out.set(f.path, errors);
  }
  return out;
}
