// Networks for the handlers: a model block's initial weights, or a finished stage's weights read
// from its cache entry (`model.safetensors`).
import { join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { Gpt, loadModelBytes, loadGpt2Bytes } from "../../train/index.js";
import { parseSafetensorsHeader } from "../../common/safetensors-header.js";
import { EntryChangedError, readEntryFile } from "../storage/entry-file.js";
import { ALIGNC_MODEL_FORMAT, gpt2ConfigHeads } from "../../common/weights-shape.js";
import type { NodeOutput } from "../handler.js";
import type { Plan, PlanNode } from "../../plan/types.js";
import { paramsOf } from "../../plan/params.js";
import type { HandlerEnv } from "./env.js";
import { tokenizerFor } from "./env.js";
import { fileModelConfigOf, modelConfigOf } from "../../plan/engine-configs.js";
import { locator } from "../../plan/checks.js";
import { DiagnosticError } from "../../lang/diagnostic.js";
import { readRegularFile } from "../../lang/read-file.js";

export const MODEL_FILE = "model.safetensors";

/** The network a node output stands for: a model block's initial weights or a stage's trained ones. */
export async function networkOf(env: HandlerEnv, plan: Plan, out: NodeOutput): Promise<Gpt> {
  if (out.dir) return loadModelBytes(entryWeights(env, out, out.dir), join(out.dir, MODEL_FILE));
  if (out.node.kind === "model") return initialModel(env, plan, out.node);
  throw new Error(`node ${out.node.id} holds no network`);
}

/**
 * The weights file of a stage's entry, as the entry generation this run resolved recorded it (its
 * rows and summary are that generation's: storage/entry-file.ts). Another process's `--force` that
 * replaced the entry since with other weights is AL5003 at the stage: the run stops rather than go on
 * from a model it did not record (nor store answers under the old weights' sha256). So is a file
 * changed under the same entry.json (damage get() does not see: it checks sizes), whose fix is a
 * `--force` of the stage. Without a record (a library caller's NodeOutput), the file as it is.
 */
function entryWeights(env: HandlerEnv, out: NodeOutput, dir: string): Buffer {
  if (!out.files) return readFileSync(join(dir, MODEL_FILE));
  try {
    return readEntryFile(dir, MODEL_FILE, out.files[MODEL_FILE]);
  } catch (err) {
    if (!(err instanceof EntryChangedError)) throw err;
    const id = out.node.id;
    const at = locator(env.recipe)(out.node.block ?? id);
    // replaced: the entry is sound, read again it is whole; damaged under the same entry.json: it stays so until forced
    const cause = err.replaced
      ? `another process replaced the entry since this run read it (\`alignc run --force ${id}\`)`
      : "its entry.json is still the one this run read, so the file changed under it: the entry is damaged (changed outside alignc)";
    throw new DiagnosticError([
      {
        code: "AL5003",
        severity: "error",
        message: `\`${id}\`'s weights changed in the stage cache while this run used its entry: ${err.message}; ${cause}, and this run stops rather than go on from a model other than the one it recorded`,
        file: at.file,
        span: at.span,
        hint: err.replaced
          ? `run the same command again: it reads \`${id}\` as its entry is now; a node that runs use is best forced while none is running`
          : `run again with \`--force ${id}\` to compute \`${id}\` anew and replace its entry (or remove the folder ${dir})`,
      },
    ]);
  }
}

/**
 * The weights file is the one the plan hashed: it is read each time a stage or eval starts from the
 * model, possibly hours after planning, and what it computes is cached under the plan's hash (and its
 * greedy answers under the node's). A file changed since is AL5002 at `weights`, not another model
 * trained and stored as if it were the planned one.
 */
function unchangedSincePlanned(env: HandlerEnv, node: PlanNode, file: string, shown: string, bytes: Uint8Array): void {
  const planned = node.files.find((f) => resolve(env.recipe.dir, f.path) === file)?.sha256;
  if (planned === undefined) return;
  const now = createHash("sha256").update(bytes).digest("hex");
  if (now === planned) return;
  const at = locator(env.recipe)(node.block ?? node.id, "weights");
  throw new DiagnosticError([
    {
      code: "AL5002",
      severity: "error",
      message: `model \`${node.id}\`: ${shown} changed since this run's plan was made (sha256 ${planned.slice(0, 12)}… in the plan, ${now.slice(0, 12)}… now): it is not the network the plan describes`,
      file: at.file,
      span: at.span,
      hint: "run again: the recipe is planned anew with the file as it is now",
    },
  ]);
}

/** A model node's weights: from its `weights = safetensors(...)` file, else a seeded initialisation. */
export async function initialModel(env: HandlerEnv, plan: Plan, node: PlanNode): Promise<Gpt> {
  const p = paramsOf(node, "model.gpt");
  const tok = await tokenizerFor(env, plan, node.id);
  if (p.weights?.$call === "safetensors") {
    // the plan carries the path relative to the recipe's folder: { $file: "weights/x.safetensors" }
    const arg = p.weights.args[0] as { $file?: unknown } | null;
    if (!arg || typeof arg.$file !== "string") throw new Error(`model ${node.id}: weights = safetensors(...) names no file`);
    const file = resolve(env.recipe.dir, arg.$file);
    // one read: the bytes held to the plan's sha256 are the bytes decoded (hashing the file, then reading it
    // again to load, trained a file swapped in between and cached it under the planned one's hash; hunt37c)
    const bytes = new Uint8Array(readRegularFile(file, Number.MAX_SAFE_INTEGER, "weights file"));
    unchangedSincePlanned(env, node, file, arg.$file, bytes);
    // the plan read this file's header (AL4023); the layout decides the loader, and a GPT-2 file without
    // a config.json beside it takes the block's heads (its tensors do not hold them)
    const alignc = parseSafetensorsHeader(bytes.subarray(0, 8), (n) => bytes.subarray(8, 8 + n), bytes.length, file).metadata.format === ALIGNC_MODEL_FORMAT;
    const loaded = alignc ? loadModelBytes(bytes, file) : loadGpt2Bytes(bytes, file, { withHeads: ["lm"], seed: p.seed, heads: gpt2ConfigHeads(file) ?? p.heads });
    // the file's weights under the plan node's settings: its shape must be the node's, and dropout and
    // init_std are the node's (before, a file's own config trained, whatever the plan said)
    const { config, mismatches } = fileModelConfigOf(p, tok.vocabSize, loaded.config);
    if (mismatches.length) {
      loaded.dispose();
      const at = locator(env.recipe)(node.block ?? node.id, "weights");
      throw new DiagnosticError([
        {
          code: "AL5002",
          severity: "error",
          message: `model \`${node.id}\`: ${arg.$file} is not the network the plan describes (${mismatches.join("; ")})`,
          file: at.file,
          span: at.span,
          hint: `declare the file's shape in model \`${node.id}\` (the plan's estimates, checks and max_length are made from the block), or use weights of the declared shape`,
        },
      ]);
    }
    const net = new Gpt(config, loaded.heads, loaded.values());
    loaded.dispose();
    return net;
  }
  return Gpt.init(modelConfigOf(p, tok.vocabSize), ["lm"], p.seed);
}
