// `alignc label` stopped as soon as it prints its URL (a script that reads the URL and stops the
// server, a quick Ctrl-C): its stop handlers were installed only after the URL and the lines after
// it were written, so a signal in between killed it by the signal's default action instead of
// closing the server (exit 130, "stopped; N labels"). The handlers now come first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exited, makeFixture, startChild } from "./fixture.js";

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
