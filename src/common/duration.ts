// Durations as people read them, for progress lines, run summaries, reports and plan estimates.

/** Seconds as "42s", "2m07s" or "1h05m". Rounded to the unit shown before it is split, so 179.6 s
 * reads "3m00s", not "2m60s" (and 59.6 s "1m00s", 3599.7 s "1h00m"). */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const r = Math.round(s);
  if (r < 3600) return r < 60 ? `${r}s` : `${Math.floor(r / 60)}m${String(r % 60).padStart(2, "0")}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
