// `alignc schema plan|diff`: print a published JSON Schema (draft-07).
import { SCHEMAS } from "../../plan/schema.js";

export async function run(args: string[]): Promise<number> {
  // own keys only: `constructor` or `toString` printed "undefined" with exit 0
  const schema = args.length === 1 && Object.hasOwn(SCHEMAS, args[0]!) ? SCHEMAS[args[0]!] : undefined;
  if (!schema) {
    process.stderr.write(`usage: alignc schema ${Object.keys(SCHEMAS).sort().join("|")}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
  return 0;
}
