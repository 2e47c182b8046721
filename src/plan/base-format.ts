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
import { READERS } from "../check/kind-schemas.js";
import { canonicalJson } from "./canonical.js";

export type BaseFormatChoice =
  | { kind: "none" }
  | { kind: "format"; name: string; written: boolean }
  /** `base_format` written where nothing reads it: every model prompted trained in a format, or the data is text */
  | { kind: "unused"; models: string[]; text: boolean }
  /** the stages that decide disagree: `from` says which (those trained from the models, or the recipe's) */
  | { kind: "ambiguous"; formats: string[]; models: string[]; from: "trained" | "recipe" }
  /** the decision depends on a sweep (a swept format or base_format): each variant's own, not one cut's */
  | { kind: "swept"; models: string[] };

const READER_CALLS: ReadonlySet<string> = new Set(READERS);

const isRef = (v: unknown): v is { $ref: string } => typeof v === "object" && v !== null && typeof (v as { $ref?: unknown }).$ref === "string";
const isSweep = (v: unknown): boolean => typeof v === "object" && v !== null && Array.isArray((v as { $sweep?: unknown }).$sweep);
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
    const prompted = this.promptedModels(reader);
    const models = prompted.filter((m) => !this.trainedInFormat(m));
    if (isSweep(written)) return { kind: "swept", models };
    if (isRef(written)) {
      const text = this.readsTextOnly(reader);
      return models.length === 0 || text ? { kind: "unused", models: prompted, text } : { kind: "format", name: written.$ref, written: true };
    }
    if (models.length === 0 || this.readsTextOnly(reader)) return { kind: "none" };
    const formatted = (s: CheckedBlock) => s.keyword === "stage" && (isRef(s.props.format) || isSweep(s.props.format));
    const trainedFrom = this.recipe.blocks.filter((s) => formatted(s) && this.initChain(s).some((m) => models.includes(m)));
    const candidates = trainedFrom.length > 0 ? trainedFrom : this.recipe.blocks.filter(formatted);
    if (candidates.some((s) => isSweep(s.props.format))) return { kind: "swept", models };
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
    return { kind: "ambiguous", formats: groups.map((g) => g[0]!).sort(), models, from: trainedFrom.length > 0 ? "trained" : "recipe" };
  }

  /** The models a reader prompts (generates from or scores text with, in their chat format): an
   * eval's `model`, a win rate's `a` and `b`, a draw's stage. Not a reward model that scores pairs
   * (`rm_accuracy`) or judges or picks (`judge`, `select`): it reads sequences as its stage trained on
   * them, formatted or raw. Sorted. */
  private promptedModels(reader: CheckedBlock): string[] {
    const refs =
      reader.keyword === "source"
        ? reader.args
        : reader.kind === "win_rate"
          ? [reader.props.a, reader.props.b]
          : reader.kind === "rm_accuracy"
            ? []
            : [reader.props.model];
    return [...new Set(refs.filter(isRef).map((r) => r.$ref))].filter((n) => this.blocks.has(n)).sort();
  }

  /** Whether a model block or stage trained in a chat format: a stage of its init chain declares one
   * (a stage without `format` trains in its init's: src/plan/lower.ts lowerStage). */
  private trainedInFormat(name: string): boolean {
    return this.initChain(this.blocks.get(name)!).some((n) => {
      const f = this.blocks.get(n)?.props.format;
      return isRef(f) || isSweep(f);
    });
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

/** AL4026 for an ambiguous choice (an error: the recipe must name the format) or a `base_format` nothing
 * reads (a warning). A swept choice is no diagnostic here: the lowering sees each variant's own values. */
export function baseFormatDiagnostic(recipe: CheckedRecipe, b: CheckedBlock, choice: BaseFormatChoice): Diagnostic | null {
  const at = (prop?: string) =>
    prop && b.propSpans[prop] ? { file: b.propFiles?.[prop] ?? b.file ?? recipe.file, span: b.propSpans[prop]! } : { file: b.file ?? recipe.file, span: b.decl.span };
  const list = (xs: string[]) => xs.map((x) => `\`${x}\``).join(", ");
  if (choice.kind === "ambiguous")
    return {
      code: "AL4026",
      severity: "error",
      message: `${b.name} prompts ${list(choice.models)}, which never trained in a chat format, and ${choice.from === "trained" ? "the stages trained from it use" : "no stage is trained from it while the recipe's stages use"} ${choice.formats.length} formats (${list(choice.formats)}): which one it is measured in is not the plan's to guess`,
      hint: `name it: \`base_format = ${choice.formats[0]}\``,
      ...at(),
    };
  if (choice.kind === "unused")
    return {
      code: "AL4026",
      severity: "warning",
      message: `${b.name}: base_format is read only where a model that never trained in a chat format is prompted with formatted examples; ${choice.text ? "this eval reads text" : `${list(choice.models)} ${choice.models.length === 1 ? "is prompted in its own" : "are prompted in their own"}`}`,
      hint: "remove it",
      ...at("base_format"),
    };
  return null;
}
