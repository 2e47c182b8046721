// `npm run bench -- NAME` runs test/bench/NAME.ts, whose last printed line is `NAME: <figure> (goal <goal>)`.
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const available = readdirSync(here).filter((f) => f.endsWith(".js") && f !== "run.js").map((f) => f.slice(0, -3));
if (!name || !existsSync(join(here, `${name}.js`))) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.sort().join(", ")})`);
  process.exit(2);
}
await import(join(here, `${name}.js`));
