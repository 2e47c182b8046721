// `alignc explain CODE`: what a diagnostic code means, with an example and its fix where one is
// recorded (src/cli/explain.ts). Exit 0 known code, 2 unknown code (the list of codes is printed).
import { allCodes, explain, renderExplanation } from "../explain.js";

export async function run(args: string[]): Promise<number> {
  const [code] = args;
  const e = code ? explain(code) : null;
  if (!e) {
    process.stderr.write(`alignc explain: ${code ? `${code} is not an alignc diagnostic code` : "name a code"}; codes: ${allCodes().join(" ")}\n`);
    return 2;
  }
  process.stdout.write(renderExplanation(e));
  return 0;
}
