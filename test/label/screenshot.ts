// The README's picture of the labeling page: `node dist/test/label/screenshot.js docs/label-page.png`.
// Serves four demo candidate sets (recipes/data/rankings.jsonl, first four responses of each) in
// headless Chromium (playwright-core with Debian's chromium, as the browser tests), names a labeler,
// rates three responses by keyboard and takes a laptop-sized screenshot. Not a test: run by hand.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../repo-root.js";
import { makeFixture, serve } from "./fixture.js";

const out = process.argv[2] ?? "label-page.png";
const CHROMIUM = process.env.ALIGNC_CHROMIUM ?? "/usr/bin/chromium";
const rows = readFileSync(join(repoRoot(), "recipes", "data", "rankings.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l)
  .slice(0, 4)
  .map((l) => {
    const r = JSON.parse(l) as { prompt: string; responses: string[]; answer: string; task: string };
    return { prompt: r.prompt, responses: r.responses.slice(0, 4), answer: r.answer, task: r.task };
  });
const fx = makeFixture({ rows, overlap: 0, guidelines: "Rate each response 1–7, flag what applies, then rank them: best first, ties allowed. Prefer correct, concise answers." });
const { server } = await serve(fx.recipe);
const { chromium } = await import("playwright-core");
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"], headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  await page.goto(server.url);
  await page.waitForSelector("#who-name");
  await page.keyboard.type("ann");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#responses .card");
  for (const k of ["6", "ArrowDown", "2", "ArrowDown", "2"]) await page.keyboard.press(k);
  writeFileSync(out, await page.screenshot({ fullPage: false }));
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
  fx.cleanup();
}
