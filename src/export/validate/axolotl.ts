// Axolotl configs checked against Axolotl's own JSON Schema (ajv) and, because that schema allows
// extra keys and Axolotl ignores unknown ones silently, also "every key is a known property" at every
// level whose schema lists properties (top level, dataset entries, nested configs).
import { Ajv } from "ajv";
import type { ErrorObject } from "ajv";

type Schema = Record<string, unknown>;

export interface AxolotlValidator {
  (config: unknown): string[];
}

export function makeAxolotlValidator(schema: Schema): AxolotlValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  const defs = (schema.$defs ?? {}) as Record<string, Schema>;
  const deref = (s: Schema): Schema => {
    const ref = s.$ref;
    if (typeof ref === "string" && ref.startsWith("#/$defs/")) return defs[ref.slice("#/$defs/".length)] ?? {};
    return s;
  };
  // The alternatives a value may match: anyOf/oneOf branches flattened, refs resolved.
  const branches = (s: Schema): Schema[] => {
    const d = deref(s);
    const alts = (d.anyOf ?? d.oneOf) as Schema[] | undefined;
    if (alts) return alts.flatMap(branches);
    const all = d.allOf as Schema[] | undefined;
    if (all) return all.flatMap(branches);
    return [d];
  };
  const unknownKeys = (value: unknown, s: Schema, path: string, out: string[]): void => {
    const alts = branches(s);
    if (Array.isArray(value)) {
      const items = alts.map((a) => a.items as Schema | undefined).filter((x): x is Schema => !!x);
      value.forEach((v, i) => items.length && unknownKeys(v, { anyOf: items }, `${path}[${i}]`, out));
      return;
    }
    if (value === null || typeof value !== "object") return;
    const objAlts = alts.filter((a) => a.type === "object" || a.properties);
    if (!objAlts.length) return;
    // an object branch without a property list (free-form dict) accepts any key
    if (objAlts.some((a) => !a.properties)) return;
    const known = new Map<string, Schema[]>();
    for (const a of objAlts) for (const [k, sub] of Object.entries(a.properties as Record<string, Schema>)) known.set(k, [...(known.get(k) ?? []), sub]);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const subs = known.get(k);
      if (!subs) out.push(`${path ? `${path}.` : ""}${k}: not a property Axolotl knows (it would be ignored silently)`);
      else unknownKeys(v, { anyOf: subs }, path ? `${path}.${k}` : k, out);
    }
  };
  return (config: unknown): string[] => {
    const out: string[] = [];
    if (!validate(config)) for (const e of validate.errors as ErrorObject[]) out.push(`${e.instancePath || "/"}: ${e.message ?? "invalid"}`);
    unknownKeys(config, schema, "", out);
    return out;
  };
}
