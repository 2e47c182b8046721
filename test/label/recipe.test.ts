// The recipe side of `alignc label`: the candidates role and its properties, the labels file allowed to
// not exist yet, and the command line's usage errors (`samples(…)` sources: samples.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkRecipeText, checkRecipeFile } from "../../src/check/index.js";
import { loadLabelConfig } from "../../src/label/candidates.js";
import { isLoopback, sweptForLabel } from "../../src/cli/commands/label.js";
import { repoRoot } from "../repo-root.js";
import { makeFixture } from "./fixture.js";
import type { Diagnostic } from "../../src/lang/diagnostic.js";
import { located } from "../data/located.js";

const BIN = join(repoRoot(), "bin", "alignc.js");
const alignc = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" });

test("candidates: its properties only on candidates sources; `labels` must name a rankings source; its file may not exist yet", async () => {
  const fx = makeFixture();
  try {
    const file = join(fx.dir, "x.align");
    const wrongRole = await checkRecipeText(`source p = jsonl("cands.jsonl") as rankings { guidelines = "x" }\n`, file);
    const d = wrongRole.diagnostics.find((x) => x.code === "AL2004")!;
    assert.match(d.message, /`guidelines` is a property of candidates sources/);
    assert.deepEqual([d.span!.line, d.span!.col], [1, 47]);
    const wrongTarget = await checkRecipeText(`source c = jsonl("cands.jsonl") as candidates { labels = d }\nsource d = jsonl("cands.jsonl") as demonstrations {}\n`, file);
    assert.ok(wrongTarget.diagnostics.some((x) => x.code === "AL2011"), JSON.stringify(wrongTarget.diagnostics));
    // a missing file is fine for the labels source of a candidates source, and only for it
    const missing = await checkRecipeText(`source c = jsonl("cands.jsonl") as candidates { labels = p }\nsource p = jsonl("new.jsonl") as rankings {}\nsource q = jsonl("gone.jsonl") as rankings {}\n`, file);
    assert.deepEqual(missing.diagnostics.map((x) => [x.code, x.span!.line]), [["AL2016", 3]]);
    // no stage or eval reads candidates, even where any source would do
    const read = await checkRecipeText(`source c = jsonl("cands.jsonl") as candidates { labels = p }\nsource p = jsonl("new.jsonl") as rankings {}\nstage s = ppo { init = s  reward = s  prompts = c  steps = 1 }\n`, file);
    const use = read.diagnostics.find((x) => x.code === "AL2011" && x.span!.line === 3 && x.span!.col === 49);
    assert.ok(use, JSON.stringify(read.diagnostics));
    assert.match(use.hint!, /alignc label/);
    const badOverlap = await checkRecipeText(`source c = jsonl("cands.jsonl") as candidates { labels = p  overlap = 1.5 }\nsource p = jsonl("new.jsonl") as rankings {}\n`, file);
    assert.ok(badOverlap.diagnostics.some((x) => x.code === "AL2008"));
  } finally {
    fx.cleanup();
  }
});

// A helper's audit: with `encoding = "latin1"` on the rankings source the page saved "Café" and the recipe
// then read "CafÃ©"; with `ranking = "order"` it accepted labels all day that `alignc data` could not read.
test("the labels' rankings source must read what the page writes (UTF-8; prompt, responses, ranking): anything else is refused at its property", async () => {
  const fx = makeFixture();
  try {
    const text = readFileSync(fx.recipe, "utf8");
    for (const [props, prop] of [[`encoding = "latin1"`, "encoding"], [`ranking = "order"`, "ranking"], [`responses = "outputs"`, "responses"], [`prompt = "{{question}}"`, "prompt"], [`shape = "dolly"`, "shape"], [`context = "{{input}}"`, "context"]] as const) {
      writeFileSync(fx.recipe, text.replace("as rankings { k = 2..9 }", `as rankings { k = 2..9  ${props} }`));
      const { recipe } = await checkRecipeFile(fx.recipe);
      assert.ok(recipe, props);
      await assert.rejects(loadLabelConfig(recipe, "cands"), (e: { diagnostics: Diagnostic[] }) => {
        const d = e.diagnostics[0]!;
        const line = text.split("\n").findIndex((l) => l.includes("as rankings")) + 1;
        assert.equal(d.span?.line, line, props);
        const written = readFileSync(fx.recipe, "utf8").split("\n")[line - 1]!;
        assert.equal(d.span?.col, written.indexOf(props.split("= ")[1]!) + 1, `${props}: at its value`);
        assert.match(d.message, new RegExp(`${prop}|context`), props);
        return true;
      });
    }
    // what it writes, spelled out, is fine
    writeFileSync(fx.recipe, text.replace("as rankings { k = 2..9 }", `as rankings { k = 2..9  encoding = "utf-8"  prompt = "{{prompt}}"  shape = "plain" }`));
    const { recipe } = await checkRecipeFile(fx.recipe);
    assert.equal((await loadLabelConfig(recipe!, "cands")).sets.length, 6);
  } finally {
    fx.cleanup();
  }
});

test("candidate sets: ids are content hashes; a row without responses is named by file:line; the k of the rankings source applies", async () => {
  const fx = makeFixture();
  try {
    const { recipe } = await checkRecipeFile(fx.recipe);
    const cfg = await loadLabelConfig(recipe!, "cands");
    assert.equal(cfg.sets.length, 6);
    assert.match(cfg.sets[0]!.id, /^[0-9a-f]{64}$/);
    assert.equal(cfg.labelsFile, fx.labels);
    assert.deepEqual([cfg.overlap, cfg.guidelines, cfg.rankingsSource], [0.2, "Prefer correct, concise answers.", "prefs"]);
    writeFileSync(join(fx.dir, "cands.jsonl"), `{"prompt": "a", "responses": ["x", "y"]}\n{"prompt": "b"}\n{"prompt": "c", "responses": ["1","2","3","4","5","6","7","8","9","10"]}\n{"prompt": "d", "responses": ["same", "other", "same"]}\n`);
    const { recipe: r2 } = await checkRecipeFile(fx.recipe);
    await assert.rejects(loadLabelConfig(r2!, "cands"), (e: { diagnostics: Diagnostic[] }) => {
      const ms = e.diagnostics.map(located);
      assert.match(ms[0]!, /cands\.jsonl:2: missing field `responses`/);
      assert.match(ms[1]!, /cands\.jsonl:3: 10 responses; labels need 2\.\.9/);
      // the same response twice (the audit: a training pair of identical texts came out of it)
      assert.match(ms[2]!, /cands\.jsonl:4: .*AL3021.*responses 1 and 3 are the same text|cands\.jsonl:4: responses 1 and 3 are the same text/);
      return true;
    });
    // an empty candidates file: at the path the source names in the recipe, the file in the message
    writeFileSync(join(fx.dir, "cands.jsonl"), "");
    const { recipe: r3 } = await checkRecipeFile(fx.recipe);
    await assert.rejects(loadLabelConfig(r3!, "cands"), (e: { diagnostics: Diagnostic[] }) => {
      assert.deepEqual(e.diagnostics.map((d) => [d.code, d.file, d.span?.line, d.span?.col, d.message]), [["AL3005", fx.recipe, 2, 22, "cands.jsonl: the file has no rows (source `cands`)"]]);
      return true;
    });
  } finally {
    fx.cleanup();
  }
});

test("alignc label: usage errors exit 2; a source that is not candidates exits 1; --stats prints the statistics", async () => {
  const fx = makeFixture();
  try {
    assert.equal(alignc(fx.dir, "label", "r.align").status, 2); // no --source
    assert.equal(alignc(fx.dir, "label").status, 2);
    // a port is digits: "" was a random port, 1e3 port 1000, 0x1F90 port 8080 (the audit)
    for (const p of ["x", "", "1e3", "0x1F90", "-1", "65536"]) assert.equal(alignc(fx.dir, "label", "r.align", "--source", "cands", "--port", p).status, 2, `--port ${JSON.stringify(p)}`);
    assert.equal(alignc(fx.dir, "label", "r.align", "--source", "nope").status, 2);
    const notCands = alignc(fx.dir, "label", "r.align", "--source", "prefs");
    assert.equal(notCands.status, 1);
    assert.match(notCands.stderr, /`prefs` is a rankings source, not a candidates source/);
    // a sweep of what labeling reads is refused, naming it (a swept overlap was served at its default, a swept seed exit 70: audit38 #2)
    writeFileSync(join(fx.dir, "swept.align"), `recipe swept extends "r.align" { seed = sweep [1, 2] }\n`);
    const swept = alignc(fx.dir, "label", "swept.align", "--source", "cands");
    assert.equal(swept.status, 2, swept.stderr);
    assert.match(swept.stderr, /swept\.align sweeps what labeling `cands` reads \(recipe\.seed\); label serves one recipe/);
    // … and only that: a sweep elsewhere in the recipe labels as before (review38 M5)
    const only = async (extra: string) => sweptForLabel((await checkRecipeText(readFileSync(fx.recipe, "utf8") + extra, fx.recipe)).recipe!, "cands");
    assert.deepEqual(await only(`source other = jsonl("cands.jsonl") as demonstrations { limit = sweep [1, 2] }\n`), []);
    assert.deepEqual(await only(`source more = jsonl("cands.jsonl") as rankings { k = sweep [2..3, 2..4] }\n`), []);
    const overlap = await checkRecipeText(readFileSync(fx.recipe, "utf8").replace("overlap = 0.2", "overlap = sweep [0.2, 0.5]"), fx.recipe);
    assert.deepEqual(sweptForLabel(overlap.recipe!, "cands"), ["cands.overlap"]);
    assert.equal(alignc(fx.dir, "label", "--stats", "missing.jsonl").status, 2);
    writeFileSync(fx.labels, JSON.stringify({ prompt: "p", responses: ["a", "b"], ranking: "B > A", ratings: [2, 6], flags: [[], []], labeler: "ann", time: "t", seconds: 4, set: "s", model: null, submission: "submission-1" }) + "\n");
    const stats = alignc(fx.dir, "label", "--stats", "labels.jsonl");
    assert.equal(stats.status, 0, stats.stderr);
    assert.match(stats.stdout, /1 labels of 1 prompts by 1 labelers/);
    const json = JSON.parse(alignc(fx.dir, "label", "--stats", "labels.jsonl", "--json").stdout);
    assert.equal(json.labelers[0].labeler, "ann");
  } finally {
    fx.cleanup();
  }
});

test("--host: loopback in every spelling is not warned about (::ffff:127.0.0.1 was); anything else is", () => {
  for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.1"]) assert.ok(isLoopback(h), h);
  for (const h of ["0.0.0.0", "::", "192.168.1.2", "::ffff:10.0.0.1", "128.0.0.1"]) assert.ok(!isLoopback(h), h);
});
