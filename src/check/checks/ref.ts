// Checks of a reference to a block (`init = sft`, `prompts = prefs.prompts`): it names a block, a
// member that block has, and a block of a kind the property accepts.
import type { Declaration } from "../../lang/ast.js";
import { didYouMean } from "../../common/did-you-mean.js";
import { MEMBERS } from "../calls.js";
import type { Accept, CheckContext } from "../context.js";
import type { RefUse } from "../lower.js";
import { describeRefTo, own } from "../schemas.js";
import type { Check } from "./types.js";

const checkRef: Check<"Ref"> = (r, accept, ctx) => {
  const use = ctx.refUses.get(r);
  if (use) checkRefUse(use, accept, ctx);
};

function keywordQualifier(d: Declaration): string | null {
  return d.keyword.name === "source" ? (d.role?.name ?? null) : d.kind.name;
}

export function describeBlock(d: Declaration): string {
  if (d.keyword.name === "source") return d.role ? `a ${d.role.name} source` : "a source with no role";
  return `a ${d.keyword.name} of kind ${d.kind.name}`;
}

export function checkRefUse(use: RefUse, accept: Accept, ctx: CheckContext): void {
  const target = ctx.symbols.get(use.name);
  if (!target) {
    accept("AL2009", use.node, `no block named \`${use.name}\` (${use.what} expects ${describeRefTo(use.refTo)})`, didYouMean(use.name, compatibleFirst(use, ctx)));
    return;
  }
  if (use.extraParts > 0) {
    accept("AL2015", use.node, `a reference is \`block\` or \`block.member\`; this one has ${use.extraParts + 2} parts`);
    return;
  }
  if (use.member !== undefined) {
    const members = own(MEMBERS, target.keyword.name) ?? [];
    if (!members.includes(use.member))
      accept("AL2015", use.node, `\`${use.name}\` (${target.keyword.name}) has no member \`${use.member}\`${members.length ? `; members: ${members.join(", ")}` : ""}`, didYouMean(use.member, members));
  }
  // a target whose own kind or role is unknown was reported at its declaration: no second message here
  const spec = ctx.blocks.get(target)?.spec;
  if (!spec || (target.role && !(spec.roles ?? []).includes(target.role.name))) return;
  const qual = keywordQualifier(target);
  // "any source" does not admit a candidates source: its sets are labeled (`alignc label`), never read by a stage or eval
  const fits = use.refTo.some((t) => {
    const [kw, q] = t.split(":");
    return kw === target.keyword.name && (q === undefined ? qual !== "candidates" || kw !== "source" : q === qual);
  });
  if (!fits) {
    const hint =
      target.keyword.name === "source" && !target.role
        ? `declare it with a role: \`source ${target.name.name} = ${target.kind.name}(…) as …\``
        : qual === "candidates" && target.keyword.name === "source"
          ? "candidate sets are labeled with `alignc label`; read the labels through the rankings source its `labels` names"
          : undefined;
    accept("AL2011", use.node, `${use.what} must reference ${describeRefTo(use.refTo)}; \`${use.name}\` is ${describeBlock(target)}`, hint);
  }
}

/** Names for "did you mean", compatible blocks first so `init = sf` suggests the stage `sft`. */
function compatibleFirst(use: RefUse, ctx: CheckContext): string[] {
  const kws = new Set(use.refTo.map((t) => t.split(":")[0]!));
  const names = [...ctx.symbols].filter(([, d]) => kws.has(d.keyword.name)).map(([n]) => n);
  return names.length ? names : [...ctx.symbols.keys()];
}

export const refChecks: Check<"Ref">[] = [checkRef];
