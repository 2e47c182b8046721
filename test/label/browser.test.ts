// The labeling page in real headless Chromium (playwright-core with Debian's chromium; skips without
// it): prompts labeled by keyboard alone (ratings, a flag, reordering, a tie, undo, submit), one by
// dragging, a reload mid-way, a kill -9 of the server with a submission pending, two labelers in two
// browser contexts, and responses holding HTML that must show as text and run nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { readRankings } from "../../src/data/rankings.js";
import { SOURCE_FIELDS } from "../data/source-fields.js";
import { readJsonl } from "../../src/data/readers.js";
import { candidateRow, exited, makeFixture, shownSet, startChild } from "./fixture.js";

declare const document: any; // inside page.waitForFunction callbacks, which run in the page (no DOM lib in tsconfig)
const CHROMIUM = process.env.ALIGNC_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const XSS = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned2'</script>`;

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const labelLines = (file: string): any[] => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l).map((l) => JSON.parse(l)) : []);

test("browser: keyboard-only labeling, drag with a tie, reload, kill -9 and restart, two labelers, HTML shown as text", async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found (apt-get install chromium; .ci/run installs it)`);
    return;
  }
  const { chromium } = await import("playwright-core");
  const rows = Array.from({ length: 8 }, (_, i) => {
    const r = candidateRow(i);
    (r.responses as string[])[3] = XSS;
    return { ...r, prompt: `<b>What</b> is ${i} + 1?` };
  });
  const fx = makeFixture({ rows, overlap: 0 });
  const port = await freePort();
  let srv = await startChild(fx.dir, port);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      // a CSP violation is a console error; the fetches cut by the kill -9 below are expected ones
      if (m.type() === "error" && !/Failed to load resource|ERR_CONNECTION_REFUSED|403/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const key = (k: string) => page.keyboard.press(k);
    const keys = async (...ks: string[]) => {
      for (const k of ks) await key(k);
    };
    const prompt = () => page.textContent("#prompt");
    const order = () => page.$$eval("#ranking .item", (items) => items.map((i: any) => (i.classList.contains("tied") ? "=" : "") + i.querySelector("b").textContent));
    // the set on screen; the page takes keys once the next one is shown with no submission in flight
    // (the progress line of a submission comes before the next set: keys pressed between are ignored)
    let set = "";
    const submitted = async (n: number) => {
      await page.waitForFunction((k) => document.querySelector("#progress-text")!.textContent!.includes(`${k} labeled`), n);
      set = await shownSet(page, set);
    };

    // the name form, by keyboard
    await page.goto(srv.url);
    await page.waitForSelector("#who-name");
    await page.keyboard.type("kim");
    await key("Enter");
    set = await shownSet(page);

    // HTML in the data is text: no element made from it, nothing ran
    assert.equal(await page.textContent('[data-key="card-3"] .text'), XSS);
    assert.match((await prompt())!, /^<b>What<\/b> is \d \+ 1\?$/);
    assert.equal(await page.$$eval("#responses img, #responses script, #prompt b, #ranking img", (els) => els.length), 0);

    // 1: keyboard only. Ratings follow the focused card; the ranking follows the ratings until edited.
    let p = await prompt();
    await keys("5", "ArrowDown", "7", "ArrowDown", "2", "ArrowDown", "2");
    assert.deepEqual(await order(), ["B", "A", "C", "=D"], "equal ratings tie");
    await keys("r", "ArrowDown", "ArrowDown", "ArrowDown"); // focus D in the ranking
    await key("="); // untie D from C
    assert.deepEqual(await order(), ["B", "A", "C", "D"]);
    await key("Shift+ArrowUp");
    assert.deepEqual(await order(), ["B", "A", "D", "C"]);
    await key("u");
    assert.deepEqual(await order(), ["B", "A", "C", "D"], "undo");
    await key("Control+Enter");
    await submitted(1);
    let lines = labelLines(fx.labels);
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0].labeler, lines[0].ranking, lines[0].ratings, lines[0].prompt], ["kim", "B > A > C > D", [5, 7, 2, 2], p]);

    // 2: keyboard only, with a flag (Tab to the flags, Enter opens them, Space ticks) and a move by number
    p = await prompt();
    await keys("3", "ArrowDown", "3", "ArrowDown", "6", "ArrowDown", "1");
    assert.deepEqual(await order(), ["C", "A", "=B", "D"]);
    await keys("Tab", "Tab", "Enter", "Tab", " "); // on card D: its rating, its flags, the first flag
    await keys("r", "ArrowDown", "1"); // A to the first place
    assert.deepEqual(await order(), ["A", "C", "=B", "D"]);
    await key("Control+Enter");
    await submitted(2);
    lines = labelLines(fx.labels);
    assert.deepEqual([lines[1].ranking, lines[1].flags], ["A > B = C > D", [[], [], [], ["fails_instruction"]]]);

    // 3: rated by keyboard, ranked by dragging D's handle to the top, with the three others tied
    p = await prompt();
    await keys("4", "ArrowDown", "4", "ArrowDown", "4", "ArrowDown", "1");
    const handle = (await (await page.$('[data-key="rank-3"] .handle'))!.boundingBox())!;
    const top = (await (await page.$("#ranking .item"))!.boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(top.x + 20, top.y + 2, { steps: 10 });
    await page.mouse.up();
    assert.deepEqual(await order(), ["D", "A", "=B", "=C"]);
    await page.click("#submit");
    await submitted(3);
    assert.equal(labelLines(fx.labels)[2].ranking, "D > A = B = C");

    // 4: a reload mid-way keeps the set and the ratings given so far
    p = await prompt();
    await keys("6", "ArrowDown", "2");
    await page.reload();
    assert.equal(await shownSet(page), set, "the same set after the reload");
    assert.equal(await prompt(), p);
    assert.deepEqual(await page.$$eval(".rate.on", (els) => els.map((e) => e.textContent)), ["6", "2"]);
    await keys("ArrowDown", "ArrowDown", "5", "ArrowDown", "1", "Control+Enter");
    await submitted(4);
    assert.equal(labelLines(fx.labels)[3].ranking, "A > C > B > D");

    // 5: kill -9 the server with the label typed but not acknowledged; restart (same port, new token); open the new URL
    p = await prompt();
    await keys("7", "ArrowDown", "6", "ArrowDown", "5", "ArrowDown", "4");
    srv.child.kill("SIGKILL");
    await exited(srv.child);
    await key("Control+Enter");
    await page.waitForFunction(() => /Not saved yet/.test(document.querySelector("#status")!.textContent!));
    srv = await startChild(fx.dir, port);
    // the page retries every 2 s; the next try after the restart meets the new token
    await page.waitForFunction(() => /restarted/.test(document.querySelector("#status")!.textContent!));
    assert.equal(labelLines(fx.labels).length, 4, "not saved while the server was down");
    await page.goto(srv.url); // the name and the pending label are in this origin's storage
    await submitted(5); // the pending label is sent first, then the next set is fetched: wait for both
    lines = labelLines(fx.labels);
    assert.equal(lines.length, 5);
    assert.equal(lines[4].ranking, "A > B > C > D");
    assert.equal(new Set(lines.map((l) => l.set)).size, 5, "five different sets, none twice");

    // skip with a reason, by keyboard: `s` opens the reasons, Tab to the details, Tab to the button
    p = await prompt();
    await key("s");
    await key("Tab");
    await page.keyboard.type("not sure");
    await keys("Tab", "Enter");
    await page.waitForFunction((k) => document.querySelector("#progress-text")!.textContent!.includes(`${k} skipped`), 1);
    set = await shownSet(page, set); // the next set comes after the progress line
    assert.notEqual(await prompt(), p);
    const skipped = readFileSync(fx.labels.replace(/\.jsonl$/, ".skips.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(skipped.map((x) => [x.labeler, x.reason]), [["kim", "I cannot judge this (outside what I know): not sure"]]);
    assert.equal(labelLines(fx.labels).length, 5, "a skip is not a ranking");

    // two labelers at once: another browser context (its own storage) gets another set
    const ctx2 = await browser.newContext({ viewport: { width: 390, height: 844 } }); // a phone
    const page2 = await ctx2.newPage();
    await page2.goto(`${srv.url}&labeler=lee`);
    assert.notEqual(await shownSet(page2), set, "lee is not given kim's set");
    const p2 = await page2.textContent("#prompt");
    assert.notEqual(p2, await prompt());
    assert.ok(!lines.some((l) => l.prompt === p2), "lee is not given a set kim labeled");
    assert.deepEqual(await page2.evaluate(() => [document.documentElement.scrollWidth <= 390, document.querySelector("#ranking").getBoundingClientRect().width > 300]), [true, true], "no sideways scrolling on a phone");

    assert.equal(await page.title(), "alignc label");
    assert.deepEqual(problems, []);
    // the file is what the recipe's rankings source reads
    const groups = readRankings({ ...SOURCE_FIELDS, name: "prefs", file: fx.labels, rows: await readJsonl(fx.labels), role: "rankings", k: [2, 9] });
    assert.equal(groups.length, 5);
    await ctx2.close();
    await ctx.close();
  } finally {
    await browser.close();
    srv.child.kill("SIGINT");
    await exited(srv.child);
    fx.cleanup();
  }
});
