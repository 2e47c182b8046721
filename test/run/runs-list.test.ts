// `alignc runs` lists each run's outcome; a --tiny run's expectations are its plain gates only, which the
// line says ("9/9 expectations" read as the recipe's claims, whose full-size gates were skipped: figures38 #10).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { repoRoot } from "../repo-root.js";
import { tempDir } from "./helpers.js";
import { makeRun } from "./fakerun.js";

test("alignc runs says a tiny run's expectations leave its full-size gates out", () => {
  const { dir, cleanup } = tempDir();
  try {
    const runs = join(dir, "runs");
    const full = makeRun(runs, { when: new Date(Date.UTC(2026, 11, 7, 1, 0, 0)) });
    const tiny = makeRun(runs, { when: new Date(Date.UTC(2026, 11, 7, 2, 0, 0)) });
    tiny.writeManifest({ ...tiny.readManifest(), tiny: true });
    const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "runs", runs], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.match(lines.find((l) => l.includes(tiny.id))!, /ok \(tiny\).*1\/1 expectations \(tiny: full-size ones skipped\)/);
    assert.doesNotMatch(lines.find((l) => l.includes(full.id))!, /skipped/);
  } finally {
    cleanup();
  }
});

test("alignc runs says why a run is unreadable (it said 'unreadable' alone: huntD39 L4)", () => {
  const { dir, cleanup } = tempDir();
  try {
    const runs = join(dir, "runs");
    const broken = makeRun(runs, { when: new Date(Date.UTC(2026, 11, 7, 1, 0, 0)) });
    writeFileSync(join(broken.path, "manifest.json"), '{"runId": "x", "stat');
    const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "runs", runs], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`unreadable:\\n  ${broken.id}: .*manifest\\.json`));
  } finally {
    cleanup();
  }
});
