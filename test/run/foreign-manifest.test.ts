// A folder that holds some other tool's manifest.json (a web app's, a package's) is not an alignc
// run: `alignc report DIR` says so, exit 1, and leaves the folder's own report.html alone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-foreign-manifest-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("alignc report refuses a folder whose manifest.json is not a run's", () => {
  writeFileSync(join(tmp, "manifest.json"), JSON.stringify({ name: "My PWA", icons: [] }));
  writeFileSync(join(tmp, "report.html"), "<h1>mine</h1>\n");
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "report", tmp], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /manifest\.json is not an alignc run manifest/);
  assert.equal(readFileSync(join(tmp, "report.html"), "utf8"), "<h1>mine</h1>\n");
  const d = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "diff", tmp, tmp], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.notEqual(d.status, 70, d.stderr);
});

test("alignc diff of two run folders whose manifest.json is another tool's: exit 2 with the reason, not 70", () => {
  const dir = mkdtempSync(join(tmp, "diff-"));
  const plan = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "plan", "--json", join(root, "recipes", "quickstart.align")], { encoding: "utf8" }).stdout;
  for (const name of ["a", "b"]) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "plan.json"), plan);
    writeFileSync(join(dir, name, "manifest.json"), name === "a" ? JSON.stringify({ name: "My PWA", icons: [] }) : "{ not json");
  }
  const d = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "diff", join(dir, "a"), join(dir, "b")], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(d.status, 2, d.stderr);
  assert.match(d.stderr, /manifest\.json is not an alignc run manifest/);
});

/** The smallest manifest the report renders. */
const MANIFEST = {
  alignc: "0", runId: "a", recipe: { name: "r", file: "r.align" }, created: "2026-12-03T00:00:00Z", finished: null, status: "ok", backend: "cpu",
  host: { hostname: "h", platform: "linux", arch: "x64", cpus: 1, cpuModel: "c", memoryBytes: 1, node: "v20" }, cache: { hits: 0, misses: 0 }, nodes: [], expectations: [],
};

test("a FIFO named manifest.json or plan.json is refused at once (report and runs read it forever); a damaged plan.json is named", () => {
  const dir = mkdtempSync(join(tmp, "fifo-"));
  const alignc = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: dir, encoding: "utf8", timeout: 20_000, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1" } });
  mkdirSync(join(dir, "runs", "a"), { recursive: true });
  spawnSync("mkfifo", [join(dir, "runs", "a", "manifest.json")]);
  const r = alignc("report", "runs/a");
  assert.equal(r.signal, null, "report did not finish");
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /manifest\.json is not an alignc run manifest \(.*FIFO/);
  const l = alignc("runs");
  assert.equal(l.signal, null, "runs did not finish");
  assert.match(l.stdout, /unreadable/);

  rmSync(join(dir, "runs", "a", "manifest.json"));
  writeFileSync(join(dir, "runs", "a", "manifest.json"), JSON.stringify(MANIFEST));
  spawnSync("mkfifo", [join(dir, "runs", "a", "plan.json")]);
  const p = alignc("report", "runs/a");
  assert.equal(p.signal, null, "report did not finish");
  assert.equal(p.status, 1, p.stderr);
  assert.match(p.stderr, /plan\.json is a FIFO/);
  rmSync(join(dir, "runs", "a", "plan.json"));
  writeFileSync(join(dir, "runs", "a", "plan.json"), '{"nodes": [');
  const t = alignc("report", "runs/a");
  assert.equal(t.status, 1, t.stderr);
  assert.match(t.stderr, /a[\/]plan\.json is not valid JSON/);

  // the run's logs: a FIFO under metrics.jsonl's or samples.jsonl's name hung the report too
  rmSync(join(dir, "runs", "a", "plan.json"));
  for (const log of ["metrics.jsonl", "samples.jsonl"]) {
    spawnSync("mkfifo", [join(dir, "runs", "a", log)]);
    const m = alignc("report", "runs/a");
    assert.equal(m.signal, null, `report with a FIFO ${log} did not finish`);
    assert.equal(m.status, 1, m.stderr);
    assert.match(m.stderr, new RegExp(`${log.replace(".", "\\.")} is a FIFO`));
    rmSync(join(dir, "runs", "a", log));
  }
});

test("a manifest with a null node, or fields of the wrong type, is refused by name (report and diff crashed with a TypeError)", () => {
  const dir = mkdtempSync(join(tmp, "fields-"));
  const alignc = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: dir, encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } });
  mkdirSync(join(dir, "a"));
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ nodes: [null] }, /nodes\[0\] is not an object/],
    [{ expectations: [5] }, /expectations\[0\] is not an object/],
    [{ nodes: [{ id: "x", kind: 5, label: "x", status: "ok" }] }, /nodes\[0\] has no id, kind, label and status/],
    [{ expectations: [{ text: 5, ok: true }] }, /expectations\[0\] has no text and ok/],
    [{ created: null }, /`created` is not a string/],
    [{ host: null }, /no host object/],
    [{ host: {} }, /`host\.hostname` is not a string/],
    [{ finished: [] }, /`finished` is neither a time nor null/],
  ];
  for (const [patch, msg] of cases) {
    writeFileSync(join(dir, "a", "manifest.json"), JSON.stringify({ ...MANIFEST, ...patch }));
    const r = alignc("report", "a");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /manifest\.json is not an alignc run manifest/);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /TypeError|Cannot read|is not a function/);
  }
  writeFileSync(join(dir, "a", "manifest.json"), JSON.stringify(MANIFEST));
  assert.equal(alignc("report", "a").status, 0);
});

test("alignc runs lists a manifest whose fields have the wrong types as unreadable: exit 0, not 70", () => {
  const dir = mkdtempSync(join(tmp, "types-"));
  for (const [name, patch] of [["a", { backend: null }], ["b", { created: 5 }], ["c", {}]] as const) {
    mkdirSync(join(dir, "runs", name), { recursive: true });
    writeFileSync(join(dir, "runs", name, "manifest.json"), JSON.stringify({ ...MANIFEST, runId: name, ...patch }));
  }
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "runs"], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^a\s+unreadable/m);
  assert.match(r.stdout, /^b\s+unreadable/m);
  assert.match(r.stdout, /^c\s+ok/m);
});

// huntH42 F5: fields the report reads that reportableManifest did not check reached it as TypeErrors
// ("alignc report: number 1 is not iterable", "n.hash.replace is not a function"), naming neither the
// file nor the field (a fuzz of every field of a real run's manifest.json found these).
test("a manifest whose contamination record, node hash, expectation message or error has the wrong type is refused by name", () => {
  const dir = mkdtempSync(join(tmp, "fields2-"));
  const alignc = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: dir, encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } });
  mkdirSync(join(dir, "a"));
  const node = { id: "sft", kind: "stage.sft", label: "sft", status: "computed", hash: "ab".repeat(32), seconds: 1 };
  const contamination = { leaks: 0, pairs: [], checked: [], notChecked: [] };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ contamination: { ...contamination, pairs: 1 } }, /`contamination\.pairs` is not a list/],
    [{ contamination: { ...contamination, pairs: [null] } }, /`contamination\.pairs` is not a list/],
    [{ contamination: { ...contamination, checked: [null] } }, /`contamination\.checked` is not a list of names/],
    [{ contamination: 5 }, /`contamination` is not an object/],
    [{ nodes: [{ ...node, hash: 1 }] }, /nodes\[0\] has no hash string/],
    [{ nodes: [{ ...node, status: "cached", computedOn: 1 }] }, /nodes\[0\] has no hash string, or a `computedOn`/],
    [{ expectations: [{ text: "x", ok: true, left: 1, right: 0 }] }, /expectations\[0\] has no message/],
    [{ error: 1 }, /`error` is neither a message nor null/],
  ];
  for (const [patch, msg] of cases) {
    writeFileSync(join(dir, "a", "manifest.json"), JSON.stringify({ ...MANIFEST, nodes: [node], ...patch }));
    const r = alignc("report", "a");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /manifest\.json is not an alignc run manifest/);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /TypeError|Cannot read|is not a function|is not iterable/);
  }
  writeFileSync(join(dir, "a", "manifest.json"), JSON.stringify({ ...MANIFEST, nodes: [node], contamination }));
  const ok = alignc("report", "a");
  assert.equal(ok.status, 0, ok.stderr);
});
