// A draw's candidates file lives in alignc's own stage cache, yet a FIFO (or a device) can be put under
// its name. readFileSync on a FIFO blocks in a read that not even Ctrl-C stops: `alignc data` on ranked
// samples, and `alignc label`'s loading of a drawn source, hung. Both now refuse it at once with a
// located AL3001 at the source's recipe text, naming the file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { checkRecipeFile } from "../../src/check/index.js";
import { registerCachedDraws } from "../../src/run/storage/cached-draws.js";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-drawn-special-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder with a recipe (r.align) whose source `c` is drawn from an SFT stage, labeled into p. */
function labelRecipeDir(prefix: string): string {
  const dir = mkdtempSync(join(tmp, prefix));
  writeFileSync(join(dir, "rows.jsonl"), JSON.stringify({ prompt: "What is 1 + 1?", response: "2" }) + "\n");
  writeFileSync(join(dir, "labels.jsonl"), "");
  writeFileSync(
    join(dir, "r.align"),
    `tokenizer t = byte_level {}
model m = gpt { tokenizer = t }
source d = jsonl("rows.jsonl") as demonstrations {}
stage sft = sft { init = m  data = d  steps = 1 }
source p = jsonl("labels.jsonl") as rankings {}
source c = samples(sft) as candidates { prompts = d  labels = p }
`,
  );
  return dir;
}

/** The fields of an entry.json alignc writes (entries are held to their types: audit35 M3). */
const ENTRY_FIELDS = { label: "draw", created: "2026-12-06T00:00:00.000Z", seconds: 1, data: null };

/** A cache entry for `hash` whose candidates.jsonl is a FIFO; entry.json records it at the size a
 * FIFO stats as (0 bytes), as an empty file alignc wrote would be. */
function fifoEntry(cache: string, hash: string): string {
  const dir = join(cache, hash);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "candidates.jsonl");
  assert.equal(spawnSync("mkfifo", [file]).status, 0);
  writeFileSync(join(dir, "entry.json"), JSON.stringify({ hash, kind: "data.samples", ...ENTRY_FIELDS, files: { "candidates.jsonl": { bytes: 0, sha256: "0".repeat(64) } } }));
  return file;
}

// The entry was taken as whole (a FIFO stats at 0 bytes) and its file read, refused then (AL3001); a
// recorded file that is not a regular file is now damage the cache's hit test sees (audit35 M2): the
// draw is no hit, and `alignc data` says it is damaged and why, without reading it
test("alignc data on ranked samples whose cached draw is a FIFO: a located AL3061 saying the draw is damaged, exit 1, not a hang", async () => {
  const dir = mkdtempSync(join(tmp, "data-"));
  const src = readFileSync(join(root, "test", "label", "fixtures", "onpolicy.align"), "utf8").replaceAll('"../../../', `"${root}/`);
  writeFileSync(join(dir, "onpolicy.align"), src);
  const { recipe } = await checkRecipeFile(join(dir, "onpolicy.align"));
  assert.ok(recipe);
  const cache = join(dir, "cache");
  const draw = registerCachedDraws(recipe, cache).find((d) => d.rank === "onpolicy")!;
  const fifo = fifoEntry(cache, draw.hash);
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "data", "onpolicy.align", "--source", "onpolicy"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 30_000,
    killSignal: "SIGKILL",
    env: { ...process.env, NO_COLOR: "1", ALIGNC_CACHE: cache },
  });
  assert.equal(r.signal, null, "alignc data did not finish: it read the FIFO");
  assert.equal(r.status, 1, r.stderr);
  const line = src.split("\n").findIndex((l) => l.startsWith("source onpolicy")) + 1;
  assert.match(r.stderr, new RegExp(`onpolicy\\.align:${line}:\\d+: error AL3061: .*the draw in the cache is damaged`));
  assert.match(r.stderr, new RegExp(`its cached entry ${dirname(fifo).replaceAll("/", "\\/")} is damaged \\(candidates\\.jsonl is a FIFO \\(named pipe\\), not the regular file written\\): the run draws anew`));
});

test("loading a drawn candidates source whose file is a FIFO: a located AL3001, not a hang", () => {
  const dir = labelRecipeDir("label-");
  const fifo = join(dir, "candidates.jsonl");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  // in a child process: on the old code the read never returns, and a test cannot stop it in-process
  const script = `
    import { checkRecipeFile } from ${JSON.stringify(join(root, "dist", "src", "check", "index.js"))};
    import { loadLabelConfig } from ${JSON.stringify(join(root, "dist", "src", "label", "candidates.js"))};
    const { recipe, diagnostics } = await checkRecipeFile(${JSON.stringify(join(dir, "r.align"))});
    if (!recipe) { console.log(JSON.stringify({ check: diagnostics })); process.exit(3); }
    try {
      await loadLabelConfig(recipe, "c", { file: ${JSON.stringify(fifo)} });
      console.log(JSON.stringify({ loaded: true }));
    } catch (e) {
      console.log(JSON.stringify({ diagnostics: e.diagnostics ?? null, message: e.message }));
    }`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL" });
  assert.equal(r.signal, null, "loadLabelConfig did not finish: it read the FIFO");
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const out = JSON.parse(r.stdout) as { diagnostics: { code: string; file: string; span: { line: number; col: number } | null; message: string }[] | null };
  assert.ok(out.diagnostics, r.stdout);
  const d = out.diagnostics[0]!;
  assert.deepEqual([d.code, d.file, d.span?.line, d.span?.col], ["AL3001", join(dir, "r.align"), 6, 1]);
  assert.match(d.message, /candidates\.jsonl is a FIFO \(named pipe\), not a regular file/);
});

test("a drawn candidates file with a line that is not JSON: AL3002 at that file's line, saying how to draw it anew (was a bare JSON.parse error)", async () => {
  const dir = labelRecipeDir("broken-");
  const file = join(dir, "candidates.jsonl");
  const good = JSON.stringify({ id: "x", prompt: "What is 1 + 1?", responses: ["2", "3"], model: "m" });
  writeFileSync(file, `${good}\n{"id": "y", "prompt": tor\n`);
  const { checkRecipeFile } = await import("../../src/check/index.js");
  const { loadLabelConfig } = await import("../../src/label/candidates.js");
  const { recipe } = await checkRecipeFile(join(dir, "r.align"));
  assert.ok(recipe);
  await assert.rejects(loadLabelConfig(recipe, "c", { file }), (e: { diagnostics?: { code: string; file: string; span: { line: number } | null; message: string }[] }) => {
    const d = e.diagnostics?.[0];
    assert.deepEqual([d?.code, d?.file, d?.span?.line], ["AL3002", file, 2]);
    assert.match(d!.message, /a line of a drawn samples file is not JSON .*remove its stage cache entry/);
    return true;
  });
});

test("a cached draw made from another output of its stage than the one cached now is stale: alignc data says so (AL3061), as it does for one not drawn", async () => {
  const dir = mkdtempSync(join(tmp, "stale-"));
  const src = readFileSync(join(root, "test", "label", "fixtures", "onpolicy.align"), "utf8").replaceAll('"../../../', `"${root}/`);
  writeFileSync(join(dir, "onpolicy.align"), src);
  const { recipe } = await checkRecipeFile(join(dir, "onpolicy.align"));
  assert.ok(recipe);
  const cache = join(dir, "cache");
  const { hashNodes } = await import("../../src/plan/hash.js");
  const { dataPlanOf } = await import("../../src/data/plan-input.js");
  const { engineVersion } = await import("../../src/plan/compile.js");
  const { outputDigest } = await import("../../src/run/storage/entry-inputs.js");
  const sftHash = hashNodes([...dataPlanOf(recipe).nodes.values()], engineVersion()).get("sft")!;
  const entry = (hash: string, kind: string, files: Record<string, { bytes: number; sha256: string }>, extra: object = {}) => {
    mkdirSync(join(cache, hash), { recursive: true });
    for (const [name, f] of Object.entries(files)) writeFileSync(join(cache, hash, name), "x".repeat(f.bytes));
    writeFileSync(join(cache, hash, "entry.json"), JSON.stringify({ hash, kind, ...ENTRY_FIELDS, files, ...extra }));
  };
  const weights = (sha: string) => ({ "model.safetensors": { bytes: 1, sha256: sha.repeat(64) } });
  entry(sftHash, "stage.sft", weights("a"));
  const drawHash = registerCachedDraws(recipe, cache).find((d) => d.rank === "onpolicy")!.hash;
  entry(drawHash, "data.samples", { "candidates.jsonl": { bytes: 1, sha256: "c".repeat(64) } }, { inputs: { [sftHash]: outputDigest(weights("a")) } });
  const { recipe: again } = await checkRecipeFile(join(dir, "onpolicy.align"));
  assert.ok(registerCachedDraws(again!, cache).find((d) => d.rank === "onpolicy")!.file, "drawn from the sft cached now: read");
  // sft computed again with other bytes (another backend): the draw is not the one a run would use
  entry(sftHash, "stage.sft", weights("b"));
  const { recipe: third } = await checkRecipeFile(join(dir, "onpolicy.align"));
  assert.equal(registerCachedDraws(third!, cache).find((d) => d.rank === "onpolicy")!.file, null);
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "data", "onpolicy.align", "--source", "onpolicy"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: "1", ALIGNC_CACHE: cache },
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /error AL3061: `onpolicy` ranks 4 samples per prompt drawn from stage `sft`, and the draw in the cache is stale/);
  assert.match(r.stderr, /its cached draw was made from other outputs than those cached now \(`sft`, or an entry it was computed from, was computed again since\)/);
  // one level up: sft as the draw recorded it, but sft itself computed from an input changed since
  const up = "f".repeat(64);
  entry(up, "stage.pretrain", weights("d"));
  entry(sftHash, "stage.sft", weights("a"), { inputs: { [up]: outputDigest(weights("d")) } });
  const { recipe: fourth } = await checkRecipeFile(join(dir, "onpolicy.align"));
  assert.ok(registerCachedDraws(fourth!, cache).find((d) => d.rank === "onpolicy")!.file, "the whole chain as recorded: read");
  entry(up, "stage.pretrain", weights("e"));
  const { recipe: fifth } = await checkRecipeFile(join(dir, "onpolicy.align"));
  assert.equal(registerCachedDraws(fifth!, cache).find((d) => d.rank === "onpolicy")!.file, null, "stale one level up");
});
