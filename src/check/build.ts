// The checked AST → CheckedRecipe (src/check/ir.ts): the IR the plan compiler reads. Only called
// when the checks found no error, so every reference resolves and every value fits its schema.
import { basename, extname } from "node:path";
import type { Comparison, Declaration, Value } from "../lang/ast.js";
import type { CheckedBlock, CheckedRecipe, IRCondition, IRRecord, IRSweep, IRValue, BlockKeyword } from "./ir.js";
import type { CheckContext } from "./context.js";
import { normaliseQuantity } from "./units.js";
import { topoOrder } from "../common/graph.js";
import { recipeHeaderValidator } from "./schemas.js";
import { recipeFolder } from "./recipe-folder.js";

/** `expect full_size { … }`: the one scope an expect block may have (gates skipped by --tiny). */
export const FULL_SIZE = "full_size";

export function buildRecipe(ctx: CheckContext): CheckedRecipe {
  const loaded = ctx.loaded;
  const byName = new Map<string, CheckedBlock>();
  for (const [name, decl] of ctx.symbols) byName.set(name, checkedBlock(ctx, decl));
  const order = topoOrder([...byName.keys()].sort(), (n) => byName.get(n)!.deps);

  // a recipe without a `recipe` header resolves one all the same: every property at its kinds-table
  // default (HEADER_PROPS), so readers of the header (the run's backend) have no default of their own
  const header = ctx.header?.props ?? headerDefaults();
  const seedValue = header["seed"];
  const seed = typeof seedValue === "number" ? seedValue : firstOfSweep(seedValue);
  const conditions = (keyword: "expect" | "budget"): IRCondition[] =>
    ctx.ast.items.flatMap((i) =>
      i.type === "Conditions" && i.keyword === keyword
        ? i.items.map((c) => {
            const ir = condition(ctx, c, keyword);
            return i.scope?.name === FULL_SIZE ? { ...ir, fullSizeOnly: true as const } : ir;
          })
        : [],
    );
  return {
    file: loaded.absFile,
    dir: recipeFolder(loaded.absFile),
    name: ctx.headerNode?.name.name ?? basename(loaded.file, extname(loaded.file)),
    header,
    seed,
    blocks: order.map((n) => byName.get(n)!),
    expects: conditions("expect"),
    budget: conditions("budget"),
    extendsFile: loaded.baseAbsFile,
  };
}

/** The header properties a recipe without a `recipe` header has: validating fills the defaults in. */
function headerDefaults(): IRRecord {
  const header: IRRecord = {};
  recipeHeaderValidator()(header);
  return header;
}

function firstOfSweep(v: IRValue | undefined): number {
  if (v !== null && typeof v === "object" && "$sweep" in v) {
    const first = (v as IRSweep).$sweep[0];
    return typeof first === "number" ? first : 0;
  }
  return 0;
}

function checkedBlock(ctx: CheckContext, decl: Declaration): CheckedBlock {
  const info = ctx.blocks.get(decl)!;
  const deps = [...new Set(info.lowered.refs.map((r) => r.name).filter((n) => ctx.symbols.has(n) && n !== decl.name.name))].sort();
  const file = ctx.fileOf(decl);
  const propSpans: CheckedBlock["propSpans"] = {};
  const propFiles: Record<string, string> = {};
  for (const e of decl.body?.entries ?? []) {
    const key = e.type === "Component" ? `components.${e.name.name}` : e.path.map((p) => p.name).join(".");
    if (Object.hasOwn(propSpans, key)) continue;
    const node = e.type === "Component" ? e : e.value;
    propSpans[key] = node.span;
    const f = ctx.fileOf(node);
    if (f !== file) propFiles[key] = f;
  }
  const block: CheckedBlock = {
    keyword: decl.keyword.name as BlockKeyword,
    name: decl.name.name,
    kind: decl.kind.name,
    role: decl.role?.name ?? null,
    args: info.args,
    props: info.props,
    deps,
    decl,
    propSpans,
    file,
  };
  if (Object.keys(propFiles).length) block.propFiles = propFiles;
  return block;
}

function conditionValue(v: Value): IRValue {
  switch (v.type) {
    case "Number":
      return v.value;
    case "Quantity":
      return normaliseQuantity(v.value, v.unit) ?? v.raw;
    case "Ref": {
      const r: IRRecord = { $ref: v.path[0]!.name };
      if (v.path.length > 1) r["member"] = v.path[1]!.name;
      return r;
    }
    default:
      return null;
  }
}

function condition(ctx: CheckContext, c: Comparison, keyword: "expect" | "budget"): IRCondition {
  const file = ctx.fileOf(c);
  const text = (ctx.sources.get(file) ?? "").slice(c.span.start, c.span.end).replace(/\s+/g, " ");
  // a budget names a resource, not a block: `time <= 10m` → left "time"
  const left = keyword === "budget" && c.left.type === "Ref" ? c.left.path[0]!.name : conditionValue(c.left);
  const terms = (ts: Comparison["leftTerms"]) => (ts ?? []).map((t) => ({ op: t.op, value: conditionValue(t.value) }));
  return {
    left,
    op: c.op,
    right: conditionValue(c.right),
    ...(c.leftTerms?.length ? { leftTerms: terms(c.leftTerms) } : {}),
    ...(c.rightTerms?.length ? { rightTerms: terms(c.rightTerms) } : {}),
    span: c.span,
    text,
    file,
  };
}
