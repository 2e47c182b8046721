// Hostile inputs (issue 15): template runtime errors are located data errors (never a crash),
// runaway templates stop within their budget, and special files are refused at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs, { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import fsp from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handlebarsChat, hfChat } from "../../src/data/chat.js";
import { DataError } from "../../src/data/diag.js";
import { compileHandlebars } from "../../src/data/flan/template.js";
import { readJsonl, readTextLines } from "../../src/data/readers.js";
import { countRows } from "../../src/data/count-rows.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { compile } from "../../src/compile.js";
import { MAX_FOLDER_ENTRIES } from "../../src/lang/read-file.js";
import { microRecipe } from "../run/micro.js";
import { repoRoot } from "../repo-root.js";
import { mix } from "../../src/data/mix.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-hostile-"));

function dataError(fn: () => unknown, code: string, pattern: RegExp): DataError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DataError, `a DataError, got ${(err as Error).stack}`);
    const d = err.diagnostics[0]!;
    assert.equal(d.code, code, d.message);
    assert.match(d.message, pattern);
    return err;
  }
  assert.fail("no error");
}

function hf(name: string, template: string): string {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify({ bos_token: "<s>", eos_token: "</s>", chat_template: template }));
  return p;
}

test("a HF chat template that calls raise_exception is a located error", () => {
  const p = hf("raise", "{% if messages[0]['role'] == 'user' %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}{{ messages[0]['content'] }}");
  const e = dataError(() => hfChat(p).format("hi", "there"), "AL3013", /raise_exception\("Conversation roles must alternate"\)/);
  assert.equal(e.diagnostics[0]!.file, p);
});

test("a Jinja type error in a chat template is a located error", () => {
  const p = hf("type", "{{ messages[0]['content'] - 1 }}{{ messages[1]['content'] }}");
  dataError(() => hfChat(p).format("hi", "there"), "AL3013", /fails when rendered: Unknown operator "-"/);
});

test("range(100000000) in a chat template stops at once with a budget error; a nested loop at the step limit, the same on any machine", () => {
  // refused before the list is built (the message names the range's size, not a step count or a clock)
  const p = hf("loop", "{% for i in range(100000000) %}x{% endfor %}{% for m in messages %}{{ m['content'] }}{% endfor %}");
  dataError(() => hfChat(p).format("hi", "there"), "AL3013", /range\(\) of 100000000 elements/);
  // 81M iterations: stopped by the deterministic step limit, never by the wall-clock backstop, whatever the load
  const nested = hf("nested", "{% for i in range(9000) %}{% for j in range(9000) %}x{% endfor %}{% endfor %}{% for m in messages %}{{ m['content'] }}{% endfor %}");
  dataError(() => hfChat(nested).format("hi", "there"), "AL3013", /more than 200000 evaluation steps/);
  // loops of nothing: an empty body calls no evaluation, and each iteration is still a step (this ran past 200 s)
  const empty = hf("empty", "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}{% for m in messages %}{{ m['content'] }}{% endfor %}");
  dataError(() => hfChat(empty).format("hi", "there"), "AL3013", /more than 200000 evaluation steps/);
});

test("a Handlebars chat template with an unknown partial, helper, decorator or a bare #each is a located error", () => {
  for (const [name, body] of [
    ["partial", "{{> missing}}{{prompt}}{{response}}"],
    ["decorator", "{{* deco}}{{prompt}}{{response}}"],
    ["each", "{{#each}}x{{/each}}{{prompt}}{{response}}"],
    ["call", "{{prompt 1}}{{response}}"],
  ]) {
    const p = join(dir, `${name}.hbs`);
    writeFileSync(p, body!);
    const e = dataError(() => handlebarsChat(p).format("hi", "there"), "AL3013", /^chat template fails when rendered/);
    // the engine does not say which line: the file alone (no made-up line 1), which the recipe's
    // format block then locates (test/data/at-recipe.test.ts)
    assert.equal(e.diagnostics[0]!.file, p);
    assert.equal(e.diagnostics[0]!.span, null, `${name}: no line of its own`);
  }
  // an unknown helper is a name the template uses that a chat format is not given: AL3010 when the
  // template is loaded, at its line and column (before any render)
  const p = join(dir, "helper.hbs");
  writeFileSync(p, "{{prompt}}\n{{shout prompt}}{{response}}");
  const e = dataError(() => handlebarsChat(p), "AL3010", /uses `shout`, which is neither a variable .* nor a helper/);
  assert.deepEqual([e.diagnostics[0]!.file, e.diagnostics[0]!.span?.line, e.diagnostics[0]!.span?.col], [p, 2, 1]);
});

test("a task template's runtime error names the template file and line", () => {
  const part = compileHandlebars("Say\n{{> nope}}", 0, { file: "t/01.hbs", span: { start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 } });
  const e = dataError(() => part.render({}), "AL3013", /partial nope could not be found/);
  assert.equal(e.diagnostics[0]!.file, "t/01.hbs");
});

// the arguments of a helper were all placed at the helper's column: `{{lookup a b c d}}`'s unknown
// `c` and `d` were reported at 1:1 (audit 32)
test("a template's placeholders are placed at their own columns, a helper's arguments included", async () => {
  const { handlebarsPlaceholders } = await import("../../src/data/flan/template.js");
  assert.deepEqual(
    handlebarsPlaceholders("x {{lookup a b c d}} y\n{{#if zz}}{{qq}}{{/if}}").map((p) => `${p.name} ${p.line}:${p.col}`),
    ["a 1:12", "b 1:14", "c 1:16", "d 1:18", "zz 2:7", "qq 2:11"],
  );
});

test("{{log}} prints nothing", () => {
  assert.equal(compileHandlebars("a{{log 'x'}}b").render({}), "ab");
});

/**
 * Every call that opens or reads one of `paths`, while `fn` runs: the `node:fs` functions are
 * wrapped and the ES modules' bindings to them updated (syncBuiltinESMExports), so the readers'
 * own imports are what is watched. An fd opened from a watched path is watched until closed.
 */
async function fsCallsOn(paths: readonly string[], fn: () => Promise<void>): Promise<string[]> {
  const watched = new Set(paths);
  const fds = new Set<number>();
  const calls: string[] = [];
  const orig = { openSync: fs.openSync, closeSync: fs.closeSync, readSync: fs.readSync, read: fs.read, readFileSync: fs.readFileSync, createReadStream: fs.createReadStream, open: fs.open, promisesOpen: fsp.open };
  const on = (p: unknown): boolean => watched.has(String(p));
  const f = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  const o = orig as unknown as Record<string, (...a: unknown[]) => unknown>;
  f.openSync = (p, flags, ...rest) => {
    const fd = o.openSync!(p, flags, ...rest) as number;
    if (on(p)) {
      fds.add(fd);
      calls.push(`openSync ${String(p)} ${typeof flags === "number" && flags & fs.constants.O_NONBLOCK ? "non-blocking" : `blocking (${String(flags)})`}`);
    }
    return fd;
  };
  f.closeSync = (fd, ...rest) => (fds.delete(fd as number), o.closeSync!(fd, ...rest));
  f.readSync = (fd, ...rest) => (fds.has(fd as number) && calls.push(`readSync ${String(fd)}`), o.readSync!(fd, ...rest));
  f.read = (fd, ...rest) => (fds.has(fd as number) && calls.push(`read ${String(fd)}`), o.read!(fd, ...rest));
  f.readFileSync = (p, ...rest) => (on(p) && calls.push(`readFileSync ${String(p)}`), o.readFileSync!(p, ...rest));
  f.createReadStream = (p, ...rest) => (on(p) && calls.push(`createReadStream ${String(p)}`), o.createReadStream!(p, ...rest));
  f.open = (p, ...rest) => (on(p) && calls.push(`open ${String(p)}`), o.open!(p, ...rest));
  (fsp as unknown as Record<string, (...a: unknown[]) => unknown>).open = (p, ...rest) => (on(p) && calls.push(`promises.open ${String(p)}`), o.promisesOpen!(p, ...rest));
  syncBuiltinESMExports();
  try {
    await fn();
  } finally {
    Object.assign(fs, { openSync: orig.openSync, closeSync: orig.closeSync, readSync: orig.readSync, read: orig.read, readFileSync: orig.readFileSync, createReadStream: orig.createReadStream, open: orig.open });
    fsp.open = orig.promisesOpen;
    syncBuiltinESMExports();
  }
  return calls;
}

test("/dev/zero, /dev/urandom and a FIFO are refused without a byte read, any open non-blocking", async () => {
  // no clock: a FIFO without a writer blocks a blocking open forever and /dev/zero never ends, so
  // the test finishing at all shows neither was waited on; the spy shows none was read
  const fifo = join(dir, "pipe");
  execFileSync("mkfifo", [fifo]);
  const specials = ["/dev/zero", "/dev/urandom", fifo];
  const calls = await fsCallsOn(specials, async () => {
    for (const p of specials) {
      dataError(() => readTextLines(p), "AL3001", /not a regular file/);
      await assert.rejects(readJsonl(p), (e: unknown) => e instanceof DataError && /not a regular file/.test(e.diagnostics[0]!.message));
      await assert.rejects(countRows(p, "text"), DataError);
      dataError(() => handlebarsChat(p), "AL3001", /not a regular file/);
      dataError(() => hfChat(p), "AL3001", /not a regular file/);
      const r = await checkRecipeFile(p);
      assert.equal(r.diagnostics[0]?.code, "AL2016");
      assert.match(r.diagnostics[0]!.message, /not a regular file/);
    }
  });
  // the type comes from the open descriptor (read-file.ts: no swap between check and read): each is
  // opened, non-blocking, and closed unread
  for (const p of specials) assert.ok(calls.includes(`openSync ${p} non-blocking`), `the spy saw no open of ${p}: ${calls.join("; ")}`);
  assert.deepEqual(
    calls.filter((c) => !c.endsWith(" non-blocking")),
    [],
  );
});

test("a corrupt .gz is a data error (it was a plan warning, then a crash)", async () => {
  const p = join(dir, "broken.jsonl.gz");
  writeFileSync(p, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]));
  await assert.rejects(readJsonl(p), DataError);
  await assert.rejects(countRows(p, "jsonl"), DataError);
  const t = join(dir, "broken.txt.gz");
  writeFileSync(t, Buffer.from([0x1f, 0x8b, 8, 0, 9, 9]));
  dataError(() => readTextLines(t), "AL3002", /not a readable gzip file/);
});

// The planner's row count and the reader said one broken file twice, the count's copy without a line
// in the recipe and worded otherwise (audit 32): one located error now
test("a truncated .gz source: the plan says it once, at the recipe's path string", async () => {
  const sub = mkdtempSync(join(dir, "trunc-"));
  const { gzipSync } = await import("node:zlib");
  const whole = gzipSync(Buffer.from('{"instruction":"Q","response":"A"}\n'.repeat(50)));
  writeFileSync(join(sub, "t.jsonl.gz"), whole.subarray(0, whole.length - 12));
  writeFileSync(join(sub, "r.align"), microRecipe().replace(/jsonl\("[^"]*demos[^"]*"\)/, 'jsonl("t.jsonl.gz")'));
  const r = await compile(join(sub, "r.align"), { cache: false });
  const gz = r.diagnostics.filter((d) => /gzip/.test(d.message));
  assert.equal(gz.length, 1, JSON.stringify(gz));
  assert.equal(gz[0]!.code, "AL3002");
  assert.ok(gz[0]!.file.endsWith("r.align") && gz[0]!.span, JSON.stringify(gz[0]));
});

test("a UTF-8 BOM at the start of a JSONL file is accepted, as recipes and the other readers accept it", async () => {
  const p = join(dir, "bom.jsonl");
  writeFileSync(p, '\uFEFF{"a":"1"}\n{"a":"2"}\n');
  const rows = await readJsonl(p);
  assert.deepEqual(rows.map((r) => r.data.a), ["1", "2"]);
  assert.equal(rows[1]!.start, '\uFEFF{"a":"1"}\n'.length);
});

// Found by test/cli/fuzz.test.ts's fixture (seeds 20261202, 3 and 4): exit 70, a hang, exit 70.
test("a NUL in a path string is a located error (it was a TypeError from fs, exit 70)", async () => {
  const p = join(dir, "nul.align");
  writeFileSync(p, microRecipe().replace('jsonl("', 'jsonl("\u0000'));
  const r = await compile(p, { cache: false });
  const d = r.diagnostics.find((x) => x.code === "AL2016");
  assert.ok(d && d.span, JSON.stringify(r.diagnostics));
  assert.match(d.message, /does not exist/);
});

test("dir() naming a huge folder (dir(\"/\"), a home folder) is listed, not walked: its templates only, or a located error when it holds none", async () => {
  const big = join(dir, "big");
  mkdirSync(join(big, "sub"), { recursive: true });
  for (let i = 0; i <= MAX_FOLDER_ENTRIES; i++) writeFileSync(join(big, "sub", `f${i}`), "");
  const p = join(dir, "big.align");
  writeFileSync(p, microRecipe().replace(/templates = dir\("[^"]*"\)/, `templates = dir("${big}")`));
  const r = await compile(p, { cache: false });
  const d = r.diagnostics.find((x) => x.code === "AL3001");
  assert.ok(d && d.span && d.file === p, JSON.stringify(r.diagnostics));
  assert.match(d.message, /no \.hbs templates in the folder/);
  assert.equal(d.severity, "error");
  // with templates beside the huge subfolder, the plan lists (and hashes) those templates alone
  for (const f of fs.readdirSync(join(repoRoot(), "templates", "flan", "addition"))) fs.copyFileSync(join(repoRoot(), "templates", "flan", "addition", f), join(big, f));
  const ok = await compile(p, { cache: false });
  assert.deepEqual(ok.diagnostics.filter((x) => x.severity === "error"), []);
  const listed = ok.plan!.nodes.flatMap((n) => n.files.map((f) => f.path)).filter((f) => f.startsWith("big/")); // relative to the recipe
  assert.deepEqual([...new Set(listed)].sort(), fs.readdirSync(big).filter((f) => f.endsWith(".hbs")).sort().map((f) => `big/${f}`));
});

test("a mixture weight past its bound is AL2008 at check; a mixture past 10M examples is a located AL3040, not a RangeError", async () => {
  const p = join(dir, "weight.align");
  writeFileSync(p, microRecipe().replace("demos: weight 1.0", "demos: weight 1e12"));
  const r = await compile(p, { cache: false });
  const d = r.diagnostics.find((x) => x.code === "AL2008");
  assert.ok(d && d.span, JSON.stringify(r.diagnostics));
  assert.match(d.message, /`weight` must be <= 10000/);
  // within every bound, weights can still multiply past what a mixture holds: refused before any row is drawn
  const examples = Array.from({ length: 20_000 }, (_, i) => ({ id: `e${i}`, prompt: `p${i}`, response: "r", meta: {} }) as never);
  const where = { file: p, span: { start: 0, end: 1, line: 1, col: 1, endLine: 1, endCol: 2 } };
  const e = dataError(() => mix([{ name: "big", examples, weight: 10_000 }], { seed: 1, dedup: "exact", where }), "AL3040", /would hold 2\.00e\+8 examples, over the 10,000,000/);
  assert.equal(e.diagnostics[0]!.file, p);
});

test("holdout_templates past the template count points at the recipe's holdout_templates (it had no line, at a template file)", async () => {
  const p = join(dir, "holdout.align");
  writeFileSync(p, microRecipe().replace("holdout_templates = 2", "holdout_templates = 50"));
  const r = await compile(p, { cache: false });
  const d = r.diagnostics.find((x) => x.code === "AL3011");
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.file, p);
  assert.equal(d.span?.line, 7);
  assert.match(d.message, /holdout_templates = 50 leaves no training template/);
});
