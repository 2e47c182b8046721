// `alignc label` stopped as soon as it prints its URL (a script that reads the URL and stops the
// server, a quick Ctrl-C): its stop handlers were installed only after the URL and the lines after
// it were written, so a signal in between killed it by the signal's default action instead of
// closing the server (exit 130, "stopped; N labels"). The handlers now come first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exited, makeFixture, startChild } from "./fixture.js";

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  test(`${sig} sent the moment the URL is printed stops the server gracefully: exit 130`, async () => {
    const fx = makeFixture();
    try {
      for (let i = 0; i < 5; i++) {
        const { child, stderr } = await startChild(fx.dir);
        child.kill(sig);
        const code = await exited(child);
        assert.equal(code, 130, `try ${i}: exit ${code} (${child.signalCode ?? "no signal"}): ${stderr()}`);
        assert.match(stderr(), /stopped; 0 labels/);
      }
    } finally {
      fx.cleanup();
    }
  });
}
