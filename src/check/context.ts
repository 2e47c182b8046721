// What the checks share: the merged AST's symbol table, each block lowered to IR and validated once
// against its kind's schema (defaults filled), the references each value makes, and the reporter.
import type { ErrorObject } from "ajv";
import type { Declaration, RecipeHeader, RecipeFile, Span } from "../lang/ast.js";
import type { Diagnostic, Severity } from "../lang/diagnostic.js";
import type { IRRecord, IRValue } from "./ir.js";
import type { Code } from "./codes.js";
import { COMPONENT_CLAUSES, HEADER_PROPS } from "./kinds.js";
import { LoweredBlock, resolvePathArg, setOwn, type Located, type RefUse } from "./lower.js";
import { argsValidator, kindSpec, own, propsValidator, recipeHeaderValidator, type KindSpec, type Schema } from "./schemas.js";
import { describeNode, schemaIssues, type SchemaIssue } from "./schema-errors.js";
import { describeSchema, refTargets } from "./schemas.js";
import { CALLS } from "./calls.js";
import { conditionalDefault } from "./kind-schemas.js";
import type { LoadedRecipe } from "./extends.js";
import { FileTypes } from "./files.js";

export type Accept = (code: Code, node: Located, message: string, hint?: string, severity?: Severity) => void;

/** One declaration (or the header) after lowering and validation. */
export interface BlockInfo {
  decl: Declaration | null; // null for the header
  spec: KindSpec | undefined;
  lowered: LoweredBlock;
  written: Map<string, Located>; // property → its first Assignment/Component
  props: IRRecord; // validated, defaults filled, sweeps kept as { $sweep }
  args: IRValue[];
  issues: SchemaIssue[]; // ajv's findings, reported by checkSchema
}

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly symbols = new Map<string, Declaration>(); // first declaration of each name
  readonly blocks = new Map<Declaration, BlockInfo>();
  readonly refUses = new Map<object, RefUse>(); // Ref node (or component name) → its reference
  readonly poisoned = new WeakSet<object>(); // nodes already reported: no second message about them
  readonly files = new FileTypes();
  header: BlockInfo | null = null;
  headerNode: RecipeHeader | null = null;
  private readonly parents: object[] = [];

  constructor(
    readonly loaded: LoadedRecipe,
    readonly sources: Map<string, string>,
  ) {}

  get ast(): RecipeFile {
    return this.loaded.ast;
  }

  fileOf = (node: object): string => this.loaded.fileOf.get(node) ?? this.loaded.rootFile;

  accept: Accept = (code, node, message, hint, severity = "error") => {
    this.diagnostics.push({ code, severity, message, file: this.fileOf(node), span: node.span, ...(hint ? { hint } : {}) });
  };

  /** Walk bookkeeping: the chain of nodes above the one being checked. */
  enter(node: object): void {
    this.parents.push(node);
  }
  leave(): void {
    this.parents.pop();
  }
  /** parent(1) is the direct parent of the node being checked, parent(2) its parent … */
  parent(up = 1): object | undefined {
    return this.parents[this.parents.length - up];
  }

  /** Lower and validate every block once; the checks read the results. */
  analyse(): void {
    for (const item of this.ast.items) {
      if (item.type === "Declaration") {
        if (!this.symbols.has(item.name.name)) this.symbols.set(item.name.name, item);
        this.blocks.set(item, this.analyseDeclaration(item));
      } else if (item.type === "RecipeHeader" && !this.headerNode) {
        this.headerNode = item;
        this.header = this.analyseHeader(item);
      }
    }
  }

  private analyseHeader(h: RecipeHeader): BlockInfo {
    const lowered = new LoweredBlock(this);
    const spec: KindSpec = { props: HEADER_PROPS };
    const written = new Map<string, Located>();
    const raw: IRRecord = {};
    for (const e of h.body.entries) {
      if (e.type !== "Assignment" || e.path.length !== 1) continue;
      const key = e.path[0]!.name;
      if (written.has(key) || !Object.hasOwn(HEADER_PROPS, key)) continue;
      written.set(key, e);
      raw[key] = lowered.lower(e.value, HEADER_PROPS[key], `/${key}`, `\`${key}\``, true);
    }
    const { props, issues } = this.validate(raw, lowered, { type: "object", properties: HEADER_PROPS }, () => recipeHeaderValidator(), () => "");
    this.collectRefs(lowered);
    return { decl: null, spec, lowered, written, props, args: [], issues };
  }

  private analyseDeclaration(d: Declaration): BlockInfo {
    const lowered = new LoweredBlock(this);
    const spec = kindSpec(d.keyword.name, d.kind.name);
    const written = new Map<string, Located>();
    const info: BlockInfo = { decl: d, spec, lowered, written, props: {}, args: [], issues: [] };
    if (!spec) return info; // unknown keyword or kind: reported, nothing to validate against

    const raw: IRRecord = {};
    const components: IRRecord = {};
    const isMixture = d.keyword.name === "mixture";
    for (const e of d.body?.entries ?? []) {
      if (e.type === "Component") {
        if (!isMixture || Object.hasOwn(components, e.name.name)) continue;
        setOwn(components, e.name.name, lowered.lowerComponent(e, `/components/${e.name.name}`, COMPONENT_CLAUSES));
        continue;
      }
      if (e.path.length !== 1) continue;
      const key = e.path[0]!.name;
      if (written.has(key) || !Object.hasOwn(spec.props, key) || (isMixture && key === "components")) continue;
      written.set(key, e);
      raw[key] = lowered.lower(e.value, spec.props[key], `/${key}`, `\`${key}\``, true);
    }
    if (isMixture) {
      raw["components"] = components;
      lowered.index.set("/components", d.name);
    }

    // constructor arguments: path strings resolve against the declaring file
    if (d.args) {
      const isPathKind = own(CALLS, d.kind.name)?.args === "path";
      info.args = d.args.map((a, i) => {
        if (isPathKind && a.type === "String") {
          lowered.index.set(`/$args/${i}`, a);
          return resolvePathArg(this, a);
        }
        // a reference argument (`samples(sft)`) is lowered against its schema, so it is checked like any reference
        const items = spec.args?.["items"] as Schema | undefined;
        return lowered.lower(a, refTargets(items) ? items : undefined, `/$args/${i}`, `the argument of \`${d.kind.name}(…)\``);
      });
    }

    const schema: Schema = { type: "object", properties: spec.props, required: spec.required ?? [] };
    const requiredHint = (p: string): string => describeSchema(spec.props[p] ?? {});
    const { props, issues } = this.validate(raw, lowered, schema, () => propsValidator(d.keyword.name, d.kind.name, spec), requiredHint);
    // a default that depends on another property (`defaultWhen`), where the recipe left this one out
    for (const [key, schema] of Object.entries(spec.props)) {
      const value = written.has(key) ? undefined : conditionalDefault(schema, props);
      if (value !== undefined) props[key] = value;
    }
    info.props = props;
    info.issues = issues;
    if (spec.args) info.issues.push(...this.argIssues(d, spec as KindSpec & { args: Schema }, info.args));
    this.collectRefs(lowered);
    return info;
  }

  /** Constructor arguments (`jsonl("x.jsonl")`) against the kind's `args` schema, in words about arguments. */
  private argIssues(d: Declaration, spec: KindSpec & { args: Schema }, args: IRValue[]): SchemaIssue[] {
    const v = argsValidator(d.keyword.name, d.kind.name, spec);
    if (v(args)) return [];
    const issues: SchemaIssue[] = [];
    const kind = d.kind.name;
    const example = kind === "samples" ? "samples(sft)" : `${kind}("path")`; // the others take one path
    for (const e of v.errors ?? []) {
      const limit = (e.params as { limit?: number }).limit ?? 0;
      if (e.keyword === "minItems" || e.keyword === "maxItems") {
        const at = e.keyword === "maxItems" ? d.args?.[limit] : undefined;
        issues.push({ code: "AL2018", node: at ?? d.kind, message: `\`${kind}\` takes ${limit} argument${limit === 1 ? "" : "s"}, e.g. ${example}; got ${d.args?.length ?? 0}` });
        continue;
      }
      const m = /^\/(\d+)/.exec(e.instancePath);
      const node = m && d.args ? d.args[Number(m[1])] : undefined;
      const items = (spec.args["items"] as Schema | undefined) ?? {};
      issues.push({ code: "AL2006", node: node ?? d.kind, message: `argument ${m ? Number(m[1]) + 1 : ""} of \`${kind}\` expects ${describeSchema(items)}, got ${describeNode(node)}` });
    }
    return issues;
  }

  private collectRefs(lowered: LoweredBlock): void {
    for (const r of lowered.refs) this.refUses.set(r.node, r);
  }

  /**
   * Validate with ajv. A sweep is validated value by value: view 0 puts every sweep's first value in
   * place (and receives the defaults); view i > 0 re-validates only the properties with an i-th value.
   */
  private validate(
    raw: IRRecord,
    lowered: LoweredBlock,
    root: Schema,
    validator: () => ReturnType<typeof propsValidator>,
    requiredHint: (p: string) => string,
  ): { props: IRRecord; issues: SchemaIssue[] } {
    const sweeps = [...lowered.sweeps].filter(([p]) => Object.hasOwn(raw, p));
    const maxLen = Math.max(1, ...sweeps.map(([, n]) => n));
    const issues: SchemaIssue[] = [];
    let props: IRRecord = {};
    const v = validator();
    for (let view = 0; view < maxLen; view++) {
      const data: IRRecord = { ...raw };
      const swept = new Map<string, number>(); // property → element index in this view
      for (const [p, n] of sweeps) {
        const el = view < n ? view : n > 0 ? 0 : -1;
        const s = raw[p] as { $sweep: IRValue[] };
        if (el < 0) delete data[p];
        else {
          data[p] = structuredClone(s.$sweep[el]!);
          swept.set(p, el);
        }
      }
      const ok = v(data);
      const nodeAt = (ptr: string): Located | undefined => {
        const prop = ptr.split("/")[1] ?? "";
        const el = swept.get(prop);
        return lowered.nodeAt(el === undefined ? ptr : `/${prop}/$sweep/${el}${ptr.slice(prop.length + 1)}`);
      };
      if (!ok) {
        const errs: ErrorObject[] = (v.errors ?? []).filter((e) => {
          if (view === 0) return true;
          const prop = e.instancePath.split("/")[1] ?? "";
          return swept.has(prop) && (lowered.sweeps.get(prop) ?? 0) > view;
        });
        for (const i of schemaIssues(errs, data, root, nodeAt, requiredHint)) {
          if (i.node && this.poisoned.has(i.node)) continue;
          issues.push(i);
        }
      }
      if (view === 0) {
        props = data;
        for (const [p] of sweeps) props[p] = raw[p]!;
      }
    }
    return { props, issues };
  }

  spanOfDecl(d: Declaration): Span {
    return d.name.span;
  }
}
