// Durations in run summaries, progress lines and plan estimates: rounded before they are split.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fmtDuration } from "../../src/common/duration.js";
import { formatSeconds } from "../../src/plan/checks.js";

/** Seconds a formatted duration stands for, and whether every field is in range. */
function parse(text: string): { seconds: number; inRange: boolean } {
  const h = /^(\d+)h(\d{2})m$/.exec(text);
  if (h) return { seconds: Number(h[1]) * 3600 + Number(h[2]) * 60, inRange: Number(h[2]) < 60 };
  const m = /^(\d+)m(\d{2})s$/.exec(text);
  if (m) return { seconds: Number(m[1]) * 60 + Number(m[2]), inRange: Number(m[2]) < 60 && Number(m[1]) < 60 };
  const s = /^(\d+(?:\.\d)?)s$/.exec(text);
  assert.ok(s, `unreadable duration ${JSON.stringify(text)}`);
  return { seconds: Number(s[1]), inRange: Number(s[1]) < 60 };
}

test("the run summary said 'ok in 2m60s' for 179.6 s: a duration is rounded before it is split", () => {
  assert.equal(fmtDuration(179.6), "3m00s");
  assert.equal(fmtDuration(59.6), "1m00s");
  assert.equal(fmtDuration(3599.7), "1h00m");
  assert.equal(fmtDuration(7199.9), "2h00m");
  assert.equal(formatSeconds(179.6), "3m00s");
  assert.equal(formatSeconds(9.94), "9.9s");
  assert.equal(formatSeconds(9.96), "10s");
});

test("for any duration, every field is in range and the text is within half its unit of the value", () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), (s) => {
      for (const text of [fmtDuration(s), formatSeconds(s)]) {
        const p = parse(text);
        const unit = text.endsWith("m") ? 60 : text.includes(".") ? 0.1 : 1;
        if (!p.inRange || Math.abs(p.seconds - s) > unit / 2 + 1e-9) return false;
      }
      return true;
    }),
  );
});
