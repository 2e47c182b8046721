// kill -9 of a real `alignc label` process while submissions are in flight, three times over: after
// each restart every acknowledged label is in the file exactly once, and resending everything with
// the same submission ids (as the page does) completes the file without a duplicate. Ctrl-C exits 130.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { candidateSetId } from "../../src/label/candidates.js";
import { candidateRow, exited, labelBody, makeFixture, startChild } from "./fixture.js";

function fileSubmissions(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  return complete
    .split("\n")
    .filter((l) => l)
    .map((l) => JSON.parse(l).submission as string);
}

test("kill -9 at any moment: nothing acknowledged is lost, nothing is written twice", async (t) => {
  const N = 60;
  const rows = Array.from({ length: N }, (_, i) => candidateRow(i));
  const fx = makeFixture({ rows });
  try {
    const bodies = rows.map((r, i) => labelBody(`labeler${i % 3}`, candidateSetId(r.prompt as string, r.responses as string[]), 4, `crash-${i}-abcdefgh`));
    const acked = new Set<string>();
    for (let cycle = 0; cycle < 3; cycle++) {
      const { child, api } = await startChild(fx.dir);
      // fire every submission not yet acknowledged, 8 at a time; kill -9 once a few more are acknowledged
      const todo = bodies.filter((b) => !acked.has(b.submission as string));
      const killAfter = acked.size + 7 + cycle * 5;
      let killed = false;
      const worker = async () => {
        while (todo.length && !killed) {
          const b = todo.shift()!;
          try {
            const r = await api.post("/api/label", b);
            if (r.status === 200) acked.add(b.submission as string);
            else assert.fail(`status ${r.status}: ${JSON.stringify(r.body)}`);
          } catch (e) {
            if (!killed) throw e; // a request cut by the kill is simply not acknowledged
          }
          if (!killed && acked.size >= killAfter) {
            killed = true;
            child.kill("SIGKILL");
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      if (!killed) child.kill("SIGKILL");
      assert.equal(await exited(child), null, "killed by the signal");
      const onDisk = fileSubmissions(fx.labels);
      assert.equal(new Set(onDisk).size, onDisk.length, `cycle ${cycle}: a submission written twice`);
      for (const id of acked) assert.ok(onDisk.includes(id), `cycle ${cycle}: acknowledged ${id} is missing`);
      t.diagnostic(`cycle ${cycle}: ${acked.size} acknowledged, ${onDisk.length} on disk after kill -9`);
    }
    // a last start: the page resends everything it has no acknowledgement for (here: everything)
    const { child, api, stderr } = await startChild(fx.dir);
    for (const b of bodies) assert.equal((await api.post("/api/label", b)).status, 200);
    const final = fileSubmissions(fx.labels);
    assert.deepEqual([...final].sort(), bodies.map((b) => b.submission as string).sort(), "every label exactly once");
    assert.ok(readFileSync(fx.labels, "utf8").endsWith("\n"));
    child.kill("SIGINT");
    assert.equal(await exited(child), 130, "Ctrl-C exits 130");
    assert.match(stderr(), new RegExp(`stopped; ${N} labels`));
  } finally {
    fx.cleanup();
  }
});
