#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli by `npm run build` (run by `npm ci` through `prepare`).
import("../dist/src/cli/main.js").then((m) => m.main(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code ?? 0;
    // 129: stopped by SIGHUP (a closed terminal or ssh session), everything saved. End by that signal,
    // as the shell expects, not by exit(): on exit Node restores the terminal's modes and, when the
    // terminal is gone, fails an assertion and aborts (nodejs/node#51519, fixed in Node 24).
    if (code === 129 && process.listenerCount("SIGHUP") === 0) process.kill(process.pid, "SIGHUP");
  },
  (err) => { console.error(`alignc: internal error: ${err?.stack ?? err}`); process.exitCode = 70; },
);
