// `alignc label` stopped as soon as it prints its URL (a script that reads the URL and stops the
// server, a quick Ctrl-C): its stop handlers were installed only after the URL and the lines after
// it were written, so a signal in between killed it by the signal's default action instead of
// closing the server (exit 130, "stopped; N labels"). The handlers now come first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { candidateSetId } from "../../src/label/candidates.js";
import { candidateRow, exited, labelBody, makeFixture, startChild } from "./fixture.js";

// SIGHUP (a closed terminal or ssh session) killed the server at once by its default action; it now
// stops like SIGTERM and then ends by SIGHUP itself (the shell's 129: bin/alignc.js).
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  test(`${sig} sent the moment the URL is printed stops the server gracefully: exit ${sig === "SIGHUP" ? "by SIGHUP" : 130}`, async () => {
    const fx = makeFixture();
    try {
      for (let i = 0; i < 5; i++) {
        const { child, stderr } = await startChild(fx.dir);
        child.kill(sig);
        const code = await exited(child);
        if (sig === "SIGHUP") assert.ok(code === null && child.signalCode === "SIGHUP", `try ${i}: exit ${code} (${child.signalCode ?? "no signal"}): ${stderr()}`);
        else assert.equal(code, 130, `try ${i}: exit ${code} (${child.signalCode ?? "no signal"}): ${stderr()}`);
        assert.match(stderr(), /stopped; 0 labels/);
      }
    } finally {
      fx.cleanup();
    }
  });
}

// A second Ctrl-C while the server finished its writes killed it by the signal's default action (its
// handlers were registered with `once`), possibly in the middle of a write. Now it stops at once as
// `alignc run` does, after the write in progress: exit 130, every acknowledged label on disk once.
test("a second Ctrl-C while the writes in flight finish stops at once, after the write in progress: exit 130, every acknowledged label on disk, none torn", async (t) => {
  const N = 300;
  const rows = Array.from({ length: N }, (_, i) => candidateRow(i));
  const fx = makeFixture({ rows });
  try {
    const { child, api, stderr } = await startChild(fx.dir);
    const acked: string[] = [];
    let sent = 0;
    const bodies = rows.map((r, i) => labelBody(`labeler${i % 3}`, candidateSetId(r.prompt as string, r.responses as string[]), 4, `twice-${i}-abcdefgh`));
    // every submission at once: most are queued behind each other's fsync when the first Ctrl-C comes
    const posts = bodies.map(async (b) => {
      try {
        const r = await api.post("/api/label", b);
        if (r.status === 200) acked.push(b.submission as string);
      } catch {
        // cut by the stop: not acknowledged
      }
      if (acked.length >= 10 && sent === 0) {
        sent = 1;
        child.kill("SIGINT");
      }
    });
    child.stderr!.on("data", () => {
      if (sent === 1 && stderr().includes("finishing the writes in flight")) {
        sent = 2;
        child.kill("SIGINT");
      }
    });
    const code = await exited(child);
    await Promise.allSettled(posts);
    // before: null (killed by the second SIGINT's default action)
    assert.equal(code, 130, `exit ${code} (${child.signalCode ?? "no signal"}): ${stderr()}`);
    assert.equal(sent, 2);
    assert.match(stderr(), /Ctrl-C again: stopping now; every acknowledged label is on disk|stopped; \d+ labels/);
    const text = readFileSync(fx.labels, "utf8");
    assert.ok(text.endsWith("\n"), "no torn last line");
    const onDisk = text.trim().split("\n").map((l) => JSON.parse(l).submission as string);
    assert.equal(new Set(onDisk).size, onDisk.length, "no label written twice");
    for (const id of acked) assert.ok(onDisk.includes(id), `acknowledged ${id} is on disk`);
    const atOnce = /Ctrl-C again: stopping now/.test(stderr());
    // (on a machine slow to send the second Ctrl-C, the writes may all have finished first: then it is the graceful stop)
    if (atOnce) assert.ok(onDisk.length < N, `stopped before every queued write: ${onDisk.length} of ${N}`);
    t.diagnostic(`${acked.length} acknowledged, ${onDisk.length} on disk; ${atOnce ? "stopped at once" : "the writes had finished"}`);
  } finally {
    fx.cleanup();
  }
});
