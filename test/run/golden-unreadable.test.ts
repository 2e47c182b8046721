// `alignc test` beside a golden plan it cannot read: a FIFO named NAME.plan.json blocked the command
// in a read that not even SIGTERM stopped (found: `timeout 60` could not end it); damaged JSON,
// `null` or a node list holding null were an internal error (exit 70). Each is now that recipe's
// failure, "golden plan unreadable", naming the file, exit 1.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-golden-unreadable-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("a FIFO, damaged JSON or a non-plan golden fails its recipe by name, at once, never exit 70", () => {
  writeFileSync(join(tmp, "r.align"), "recipe r { seed = 1 }\ntokenizer b = byte_level {}\nmodel m = gpt { tokenizer = b  layers = 1  d_model = 16  heads = 2  context = 32 }\n");
  const golden = join(tmp, "r.plan.json");
  const cases: [() => void, RegExp][] = [
    [() => spawnSync("mkfifo", [golden]), /is a FIFO/],
    [() => writeFileSync(golden, "{"), /is not valid JSON/],
    [() => writeFileSync(golden, "null"), /is not a plan/],
    [() => writeFileSync(golden, '{"nodes": [null]}'), /is not a plan/],
  ];
  for (const [make, msg] of cases) {
    rmSync(golden, { force: true });
    make();
    const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "test", ".", "--no-run"], { cwd: tmp, encoding: "utf8", timeout: 20_000, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(r.signal, null, "alignc test did not finish");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL r\.align: golden plan unreadable/);
    assert.match(r.stdout, msg);
  }
});
