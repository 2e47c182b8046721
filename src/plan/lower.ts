// Lowering: a CheckedRecipe (one variant: no sweeps left) → plan nodes without hashes or estimates.
//
// One block gives one node named after it, plus derived nodes:
//   tokenizer X   → X            (kind tokenizer, op byte_level | bpe | gpt2)
//   model X       → X            (kind model, op gpt: the initial weights)
//   source X      → X            (kind data, op read)
//   task X        → X/data (read, when `data` is a file call) → X (expand)
//   mixture X     → X            (op mix, over its components)
//   format X      → no node: a stage's `format` is inlined as { op, template: {$file}, system }
//   stage X       → X, after a format + tokenize chain for each data property:
//                   <data>/format (op format) → <data>/tokenize (op tokenize) → X
//   eval X        → X (with `base_format` when it reads a model that never trained in a format)
// Where a data property is a file call (`text("corpus.txt")`), a read node `<stage>/<property>` is made.
//
// Params are the block's resolved properties, with references rewritten to node ids
// ({ $ref: "sft_data/tokenize" }) and paths rewritten relative to the recipe's folder as
// { $file: "data/x.jsonl" } / { $dir: "../templates/flan/sentiment" }. src/plan/hash.ts replaces both
// by hashes (of the referenced node, of the file contents), so names and paths never reach a hash.
import { isAbsolute, join, relative, sep } from "node:path";
import { CALLS } from "../check/calls.js";
import { CANDIDATE_PROPS, RANKED_SAMPLES_DEFAULTS, RANKED_SAMPLES_PROPS } from "../check/kinds.js";
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { READERS } from "../check/kind-schemas.js";
import { canonicalJson } from "./canonical.js";
import { FileHashes } from "./file-hashes.js";
import { PLAN_CODES } from "./codes.js";
import { BaseFormats, baseFormatDiagnostic, readsModels } from "./base-format.js";
import type { Json, NodeKind, PlanFile } from "./types.js";

/** A node as lowered: what the hash and the estimates are computed from. */
export interface LoweredNode {
  id: string;
  kind: NodeKind;
  op: string;
  params: { [key: string]: Json };
  inputs: string[];
  files: PlanFile[];
  block: string; // the block it lowers ("" for nodes shared by several blocks)
}

const READER_CALLS: ReadonlySet<string> = new Set(READERS);
const SPLIT_CALLS = new Set(["heldout", "train"]);

/** Stage properties that name training data: each gets a format + tokenize chain. */
const DATA_PROPS: Record<string, string[]> = {
  pretrain: ["data"],
  sft: ["data"],
  reward_model: ["data"],
  dpo: ["data"],
  ppo: ["prompts", "ptx_data"],
};

export interface LowerResult {
  nodes: LoweredNode[];
  diagnostics: Diagnostic[];
  /** For later checks: the tokenizer, model and format behind each model-bearing node. */
  lineage: Map<string, Lineage>;
}

/** What a model-bearing node (model, stage) descends from. */
export interface Lineage {
  model: string; // id of the model node at the root of its init chain
  tokenizer: string; // id of that model's tokenizer node
  format: Json; // inlined format of the stage (null when none)
}

export function lowerRecipe(recipe: CheckedRecipe, files: FileHashes = new FileHashes()): LowerResult {
  return new Lowerer(recipe, files).run();
}

class Lowerer {
  private readonly nodes = new Map<string, LoweredNode>();
  private readonly chainKeys = new Map<string, string>(); // canonical chain key → node id
  private readonly diagnostics: Diagnostic[] = [];
  private readonly blocks = new Map<string, CheckedBlock>();
  private readonly lineage = new Map<string, Lineage>();

  constructor(
    private readonly recipe: CheckedRecipe,
    private readonly fs: FileHashes,
  ) {
    for (const b of recipe.blocks) this.blocks.set(b.name, b);
  }

  run(): LowerResult {
    // recipe.blocks lists dependencies before dependents, so every reference is lowered before use
    for (const block of this.recipe.blocks) this.lowerBlock(block);
    this.addBaseFormats();
    return { nodes: [...this.nodes.values()], diagnostics: this.diagnostics, lineage: this.lineage };
  }

  private lowerBlock(b: CheckedBlock): void {
    switch (b.keyword) {
      case "format":
        return; // inlined where used
      case "tokenizer":
        this.add(b, { id: b.name, kind: "tokenizer", op: b.kind, params: this.props(b, b.props) });
        return;
      case "model": {
        this.add(b, { id: b.name, kind: "model", op: b.kind, params: this.props(b, b.props) });
        const tok = b.props.tokenizer;
        this.lineage.set(b.name, { model: b.name, tokenizer: isRef(tok) ? tok.$ref : "", format: null });
        return;
      }
      case "source": {
        if (b.kind === "samples") return this.lowerSamples(b);
        if (b.role === "candidates") return; // a file read by `alignc label` (src/label/), never trained on: no plan node
        const params: { [k: string]: Json } = { reader: b.kind, path: this.fileArg(b, b.args[0], "file"), role: b.role ?? "records", ...this.props(b, b.props) };
        this.add(b, { id: b.name, kind: "data", op: "read", params });
        return;
      }
      case "task": {
        const props = { ...b.props };
        const data = props.data;
        if (isCall(data) && READER_CALLS.has(data.$call)) {
          const readId = `${b.name}/data`;
          this.add(b, { id: readId, kind: "data", op: "read", params: { reader: data.$call, path: this.fileArg(b, data.args[0], "file", "data"), role: "records" } });
          props.data = { $ref: readId };
        }
        this.add(b, { id: b.name, kind: "data", op: "expand", params: this.props(b, props) });
        return;
      }
      case "mixture": {
        const { components, ...rest } = b.props;
        const list: Json[] = [];
        for (const [name, clauses] of Object.entries(isRecord(components) ? components : {}).sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))) {
          list.push({ input: { $ref: name }, ...(this.value(b, clauses as IRValue) as { [k: string]: Json }) });
        }
        this.add(b, { id: b.name, kind: "data", op: "mix", params: { ...this.props(b, rest), components: list } });
        return;
      }
      case "stage":
        return this.lowerStage(b);
      case "eval":
        this.add(b, { id: b.name, kind: "eval", op: b.kind, params: this.props(b, b.props) });
        return;
    }
  }

  private lowerStage(b: CheckedBlock): void {
    const props = { ...b.props };
    const init = props.init;
    const parent = isRef(init) ? this.lineage.get(init.$ref) : undefined;
    // a stage that declares no format trains in the one its init trained in (raw text from a model
    // block or an unformatted stage): evals of it read that format too (src/run/nodes/env.ts evalFormat)
    const format = isRef(props.format) ? this.inlineFormat(props.format.$ref) : (parent?.format ?? null);
    const tokenizer = parent?.tokenizer ?? "";
    const modelBlock = parent ? this.blocks.get(parent.model) : undefined;
    const context = typeof modelBlock?.props.context === "number" ? modelBlock.props.context : null;
    const maxLength = typeof props.max_length === "number" ? props.max_length : context;
    const params: { [k: string]: Json } = {};
    for (const [key, value] of Object.entries(props)) {
      if (key === "format") continue;
      if ((DATA_PROPS[b.kind] ?? []).includes(key) && value !== null && value !== undefined) {
        params[key] = this.dataChain(b, key, value, format, tokenizer);
      } else {
        params[key] = this.value(b, value, key);
      }
    }
    params.format = format;
    params.max_length = maxLength; // resolved: declared, else the model's context
    this.add(b, { id: b.name, kind: "stage", op: b.kind, params });
    this.lineage.set(b.name, { model: parent?.model ?? "", tokenizer, format });
  }

  /** `samples(stage)`: the draw (data samples) over the stage and its prompts' chain, without the labeling
   * session's properties (a new guideline must not draw again). `as rankings`: the draw is `<name>/draw`
   * (a candidates draw's node) and `<name>` ranks it (data rank: labeler, holdout; no redraw for a new one). */
  private lowerSamples(b: CheckedBlock): void {
    const stage = isRef(b.args[0]) ? b.args[0].$ref : "";
    const line = this.lineage.get(stage);
    const params: { [k: string]: Json } = { stage: { $ref: stage } };
    const notDrawn: readonly string[] = [...CANDIDATE_PROPS, ...RANKED_SAMPLES_PROPS];
    for (const [key, value] of Object.entries(b.props)) {
      if (value === undefined || notDrawn.includes(key)) continue;
      params[key] = key === "prompts" ? this.dataChain(b, key, value, line?.format ?? null, line?.tokenizer ?? "") : this.value(b, value, key);
    }
    const draw = drawNodeId(b);
    this.add(b, { id: draw, kind: "data", op: "samples", params });
    if (draw === b.name) return;
    const holdout = b.props.holdout ?? RANKED_SAMPLES_DEFAULTS.holdout;
    this.add(b, { id: b.name, kind: "data", op: "rank", params: { draw: { $ref: draw }, labeler: this.value(b, b.props.labeler ?? null), holdout: this.value(b, holdout) } });
  }

  /** A data property of a stage → { $ref } to the tokenize node of its format + tokenize chain. */
  private dataChain(b: CheckedBlock, prop: string, value: IRValue, format: Json, tokenizer: string): Json {
    let base: string;
    let member: string | undefined;
    let split: string | undefined;
    let text = b.kind === "pretrain";
    if (isCall(value) && READER_CALLS.has(value.$call)) {
      base = `${b.name}/${prop}`;
      this.add(b, { id: base, kind: "data", op: "read", params: { reader: value.$call, path: this.fileArg(b, value.args[0], "file", prop), role: "text" } });
      text = true;
    } else if (isCall(value) && SPLIT_CALLS.has(value.$call) && isRef(value.args[0])) {
      base = value.args[0].$ref;
      member = value.args[0].member;
      split = value.$call;
    } else if (isRef(value)) {
      base = value.$ref;
      member = value.member;
    } else {
      return this.value(b, value, prop);
    }
    const baseBlock = this.blocks.get(base);
    if (baseBlock?.keyword === "source" && baseBlock.role === "text") text = true;
    if (baseBlock?.keyword === "stage" && baseBlock.kind === "pretrain") text = true; // train(pre): its corpus, as text
    const label = `${base}${member ? `.${member}` : ""}${split ? `@${split}` : ""}`;
    const source: { [k: string]: Json } = { $ref: base };
    if (member) source.member = member;
    let examples: Json = source;
    if (!text) {
      // `all`: a plain reference trains on its training part and validates on its held-out part;
      // heldout(x) / train(x) keep one part (src/data/build.ts)
      const fmtParams: { [k: string]: Json } = { examples: source, format, split: split ?? "all" };
      examples = { $ref: this.chainNode(b, `${label}/format`, "format", fmtParams) };
    }
    // tokens are never truncated here: the stage truncates to its max_length, so one tokenized set
    // serves stages of any context, and its size is the untruncated length the context check needs
    const tokParams: { [k: string]: Json } = { examples, tokenizer: tokenizer ? { $ref: tokenizer } : null };
    if (text) tokParams.split = split ?? "all";
    return { $ref: this.chainNode(b, `${label}/tokenize`, "tokenize", tokParams) };
  }

  /** A derived data node shared by every consumer with the same parameters; ids stay unique. */
  private chainNode(b: CheckedBlock, id: string, op: string, params: { [k: string]: Json }): string {
    const key = canonicalJson({ op, params });
    const existing = this.chainKeys.get(key);
    if (existing !== undefined) return existing;
    let unique = id;
    for (let n = 2; this.nodes.has(unique); n++) unique = `${id}~${n}`;
    this.chainKeys.set(key, unique);
    this.add(b, { id: unique, kind: "data", op, params }, "");
    return unique;
  }

  /**
   * A model that never trained in a chat format (a base or pretrained model) is prompted, in an eval or a
   * draw, in the format src/plan/base-format.ts decides (written, or that of the stages trained from
   * it), so that "before" and "after" are measured on the same prompts (src/run/nodes/env.ts,
   * evalFormat). It is a parameter of the reading node, `base_format`, with its template among the
   * node's files: its hash covers it (a new system prompt re-scores `lm_pre`), and the run reads it from
   * the plan. A written one is inlined like any format reference; one that nothing reads is dropped.
   */
  private addBaseFormats(): void {
    const decide = new BaseFormats(this.recipe);
    for (const b of this.recipe.blocks) {
      if (!readsModels(b)) continue;
      const id = b.keyword === "source" ? drawNodeId(b) : b.name;
      const n = this.nodes.get(id);
      if (!n) continue;
      const choice = decide.choice(b);
      const diagnostic = baseFormatDiagnostic(this.recipe, b, choice);
      if (diagnostic) this.diagnostics.push(diagnostic);
      if (choice.kind === "unused") {
        const { base_format: _unused, ...params } = n.params;
        const files = new Map<string, string>();
        collect(params, new Set(), files, this.recipe.dir, this.fs);
        this.nodes.set(id, { ...n, params, files: sortedFiles(files) });
      }
      if (choice.kind !== "format" || choice.written) continue;
      const base = this.inlineFormat(choice.name);
      const files = new Map(n.files.map((f) => [f.path, f.sha256]));
      collect(base, new Set(), files, this.recipe.dir, this.fs);
      this.nodes.set(id, { ...n, params: { ...n.params, base_format: base }, files: sortedFiles(files) });
    }
  }

  private inlineFormat(name: string): Json {
    const f = this.blocks.get(name);
    if (!f || f.keyword !== "format") return { $ref: name };
    return { op: f.kind, template: this.fileArg(f, f.args[0], "file"), ...this.props(f, f.props) };
  }

  private add(b: CheckedBlock, n: Omit<LoweredNode, "inputs" | "files" | "block">, block = b.name): void {
    if (this.nodes.has(n.id)) throw new Error(`plan: two nodes lower to id ${n.id}`);
    const inputs = new Set<string>();
    const files = new Map<string, string>();
    collect(n.params, inputs, files, this.recipe.dir, this.fs);
    this.nodes.set(n.id, {
      ...n,
      // every node carries the recipe seed (rule at the top of hash.ts)
      params: { ...n.params, seed: this.recipe.seed },
      inputs: [...inputs].sort(),
      files: sortedFiles(files),
      block,
    });
  }

  private props(b: CheckedBlock, props: { [k: string]: IRValue }): { [k: string]: Json } {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = this.value(b, v, k);
    return out;
  }

  /** IR value → plan param: refs to node ids, paths relative to the recipe. */
  private value(b: CheckedBlock, v: IRValue, prop?: string): Json {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => this.value(b, x, prop));
    if (isRef(v)) {
      const target = this.blocks.get(v.$ref);
      if (target?.keyword === "format") return this.inlineFormat(v.$ref);
      return v.member ? { $ref: v.$ref, member: v.member } : { $ref: v.$ref };
    }
    if (isCall(v)) {
      const spec = CALLS[v.$call];
      if (spec?.args === "path") {
        // the first argument is the path; any others (flan_templates' task and version) are values
        const [path, ...rest] = v.args;
        const args = [this.fileArg(b, path, spec.expect, prop), ...rest.map((a) => this.value(b, a, prop))];
        // flan_templates' task defaults to the block's name, its version to v1: written out, so that
        // renaming the block changes the hash exactly when it changes which templates are read
        if (v.$call === "flan_templates") {
          if (args.length < 2) args.push(b.name);
          if (args.length < 3) args.push("v1"); // the data layer's default pattern version
        }
        return { $call: v.$call, args };
      }
      return { $call: v.$call, args: v.args.map((a) => this.value(b, a, prop)) };
    }
    if ("$sweep" in v) throw new Error(`plan: unexpanded sweep in ${b.name}.${prop ?? "?"} (expand variants first)`);
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.value(b, x as IRValue, prop);
    return out;
  }

  /** A path argument → { $file } / { $dir } relative to the recipe; unreadable paths are AL4010. */
  private fileArg(b: CheckedBlock, arg: IRValue | undefined, expect: "file" | "dir", prop?: string): Json {
    if (typeof arg !== "string") return this.value(b, arg ?? null, prop);
    const abs = isAbsolute(arg) ? arg : join(this.recipe.dir, arg);
    const rel = toPosix(relative(this.recipe.dir, abs)) || ".";
    const why = this.fs.problem(abs, expect);
    if (why !== null) {
      // the labels file of a candidates source appears with the first label
      const labeler = this.recipe.blocks.find((c) => c.role === "candidates" && isRef(c.props.labels) && c.props.labels.$ref === b.name);
      this.diagnostics.push({
        code: "AL4010",
        severity: "error",
        message: `${PLAN_CODES.AL4010}: ${rel} (${why})`,
        ...(labeler ? { hint: `no labels yet: \`alignc label ${relative(process.cwd(), this.recipe.file) || this.recipe.file} --source ${labeler.name}\` writes them here` } : {}),
        ...(prop && b.propSpans[prop]
          ? { file: b.propFiles?.[prop] ?? b.file ?? this.recipe.file, span: b.propSpans[prop]! }
          : { file: b.file ?? this.recipe.file, span: b.decl.span }),
      });
      return expect === "dir" ? { $dir: rel, missing: true } : { $file: rel, missing: true };
    }
    return expect === "dir" ? { $dir: rel } : { $file: rel };
  }
}

/** Gathers referenced node ids and the files (relative path → sha256) a params tree names. */
function collect(v: Json, inputs: Set<string>, files: Map<string, string>, dir: string, fs: FileHashes): void {
  if (v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    for (const x of v) collect(x, inputs, files, dir, fs);
    return;
  }
  if (typeof v.$ref === "string") inputs.add(v.$ref);
  if (typeof v.$file === "string" && v.missing !== true) files.set(v.$file, fs.hash(join(dir, v.$file)));
  if (typeof v.$dir === "string" && v.missing !== true) {
    const root = join(dir, v.$dir);
    for (const f of fs.list(root)) files.set(v.$dir === "." ? f : `${v.$dir}/${f}`, fs.hash(join(root, f)));
  }
  for (const x of Object.values(v)) collect(x, inputs, files, dir, fs);
}

/** The node a `samples(…)` source draws in: its own name, or `<name>/draw` when it ranks the draw too (`as rankings`). */
function drawNodeId(b: CheckedBlock): string {
  return b.role === "rankings" ? `${b.name}/draw` : b.name;
}

function sortedFiles(files: Map<string, string>): PlanFile[] {
  return [...files].map(([path, sha256]) => ({ path, sha256 })).sort((x, y) => (x.path < y.path ? -1 : 1));
}

function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}

function isRef(v: unknown): v is { $ref: string; member?: string } {
  return typeof v === "object" && v !== null && typeof (v as { $ref?: unknown }).$ref === "string";
}
function isCall(v: unknown): v is { $call: string; args: IRValue[] } {
  return typeof v === "object" && v !== null && typeof (v as { $call?: unknown }).$call === "string";
}
function isRecord(v: unknown): v is { [k: string]: IRValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
