// The chat format an eval or a draw prompts a model in when that model never trained in one (a base or
// pretrained model): "before SFT" and "after SFT" must be measured on the same prompts. Decided from the
// recipe's blocks, so that a cut recipe (`alignc label` plans one source and its inputs) is given the
// full recipe's decision (src/run/compile-run.ts onlyBlock) and a block's name never decides it:
//   - the reader's own `base_format`, when written;
//   - else the format of the stages trained from the models it reads (their init chains), when those
//     agree; when no stage is trained from them, the format every formatted stage of the recipe shares;
//   - none when it reads no such model, or reads only text (an lm_loss on a corpus formats nothing);
//   - ambiguous (AL4026) when the candidates disagree: the recipe must name one.
// (It was the first formatted stage in plan order, whose ties break by id: renaming a stage could
// change the format a base model was measured in.)
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { canonicalJson } from "./canonical.js";

export type BaseFormatChoice =
  | { kind: "none" }
  | { kind: "format"; name: string; written: boolean }
  /** `base_format` written for a reader of models that all trained in a format: it is never read */
  | { kind: "unused"; models: string[] }
  | { kind: "ambiguous"; formats: string[]; models: string[] };

const READER_CALLS = new Set(["jsonl", "json", "csv", "tsv", "text"]);

const isRef = (v: unknown): v is { $ref: string } => typeof v === "object" && v !== null && typeof (v as { $ref?: unknown }).$ref === "string";
const isCall = (v: unknown): v is { $call: string; args: IRValue[] } => typeof v === "object" && v !== null && typeof (v as { $call?: unknown }).$call === "string";

/** Blocks that read a model and prompt it: every eval, and a `samples(…)` draw. */
export function readsModels(b: CheckedBlock): boolean {
  return b.keyword === "eval" || (b.keyword === "source" && b.kind === "samples");
}

export class BaseFormats {
  private readonly blocks: Map<string, CheckedBlock>;

  constructor(private readonly recipe: CheckedRecipe) {
    this.blocks = new Map(recipe.blocks.map((b) => [b.name, b]));
  }

  choice(reader: CheckedBlock): BaseFormatChoice {
    if (!readsModels(reader)) return { kind: "none" };
    const written = reader.props.base_format;
    const models = this.unformattedModels(reader);
    if (isRef(written)) return models.length === 0 && this.modelsRead(reader).length > 0 ? { kind: "unused", models: this.modelsRead(reader) } : { kind: "format", name: written.$ref, written: true };
    if (models.length === 0 || this.readsTextOnly(reader)) return { kind: "none" };
    const trainedFrom = this.recipe.blocks.filter((s) => s.keyword === "stage" && isRef(s.props.format) && this.initChain(s).some((m) => models.includes(m)));
    const candidates = trainedFrom.length > 0 ? trainedFrom : this.recipe.blocks.filter((s) => s.keyword === "stage" && isRef(s.props.format));
    // formats compared by what they are, not by name: two blocks declaring one template are one format
    const byContent = new Map<string, string[]>();
    for (const s of candidates) {
      const name = (s.props.format as { $ref: string }).$ref;
      const key = this.formatKey(name);
      const names = byContent.get(key) ?? [];
      if (!names.includes(name)) names.push(name);
      byContent.set(key, names);
    }
    const groups = [...byContent.values()].map((names) => names.sort());
    if (groups.length === 0) return { kind: "none" };
    if (groups.length === 1) return { kind: "format", name: groups[0]![0]!, written: false };
    return { kind: "ambiguous", formats: groups.map((g) => g[0]!).sort(), models };
  }

  /** The models (model blocks, stages) a reader names in its properties and arguments, sorted. */
  private modelsRead(reader: CheckedBlock): string[] {
    const refs = [...Object.values(reader.props), ...reader.args].filter(isRef).map((r) => r.$ref);
    return [...new Set(refs.filter((n) => ["stage", "model"].includes(this.blocks.get(n)?.keyword ?? "")))].sort();
  }

  /** Of those, the ones no stage of their init chain trained in a format. */
  private unformattedModels(reader: CheckedBlock): string[] {
    return this.modelsRead(reader).filter((m) => !this.initChain(this.blocks.get(m)!).some((n) => isRef(this.blocks.get(n)?.props.format)));
  }

  /** A model-bearing block and the blocks its `init` chain passes through, itself first. */
  private initChain(b: CheckedBlock): string[] {
    const out: string[] = [];
    for (let cur: CheckedBlock | undefined = b; cur && !out.includes(cur.name); ) {
      out.push(cur.name);
      cur = cur.keyword === "stage" && isRef(cur.props.init) ? this.blocks.get(cur.props.init.$ref) : undefined;
    }
    return out;
  }

  /** An lm_loss whose data is text (a corpus call, a text source, a pretrain stage's split) formats nothing. */
  private readsTextOnly(reader: CheckedBlock): boolean {
    if (reader.keyword !== "eval" || reader.kind !== "lm_loss") return false;
    let data: IRValue | undefined = reader.props.data;
    if (isCall(data) && READER_CALLS.has(data.$call)) return true;
    if (isCall(data) && (data.$call === "heldout" || data.$call === "train")) data = data.args[0];
    const b = isRef(data) ? this.blocks.get(data.$ref) : undefined;
    return (b?.keyword === "source" && b.role === "text") || (b?.keyword === "stage" && b.kind === "pretrain");
  }

  private formatKey(name: string): string {
    const f = this.blocks.get(name);
    return f ? canonicalJson({ kind: f.kind, args: f.args, props: f.props } as never) : name;
  }
}

/** AL4026 for an ambiguous choice (an error: the recipe must name the format) or a `base_format` nothing reads (a warning). */
export function baseFormatDiagnostic(recipe: CheckedRecipe, b: CheckedBlock, choice: BaseFormatChoice): Diagnostic | null {
  const at = (prop?: string) =>
    prop && b.propSpans[prop] ? { file: b.propFiles?.[prop] ?? b.file ?? recipe.file, span: b.propSpans[prop]! } : { file: b.file ?? recipe.file, span: b.decl.span };
  const list = (xs: string[]) => xs.map((x) => `\`${x}\``).join(", ");
  if (choice.kind === "ambiguous")
    return {
      code: "AL4026",
      severity: "error",
      message: `${b.name} prompts ${list(choice.models)}, which never trained in a chat format, and the stages trained from it use ${choice.formats.length} formats (${list(choice.formats)}): which one it is measured in is not the plan's to guess`,
      hint: `name it: \`base_format = ${choice.formats[0]}\``,
      ...at(),
    };
  if (choice.kind === "unused")
    return {
      code: "AL4026",
      severity: "warning",
      message: `${b.name}: base_format is read only for a model that never trained in a chat format; ${list(choice.models)} ${choice.models.length === 1 ? "is prompted in its own" : "are prompted in their own"}`,
      hint: "remove it",
      ...at("base_format"),
    };
  return null;
}
