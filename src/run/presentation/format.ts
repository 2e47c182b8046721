// Number and duration formatting shared by progress lines, reports and metric diffs. Its own
// module so that `alignc diff` (run/evaluation/metrics-diff.ts) does not load cli-progress through progress.ts.

export { fmtDuration } from "../../common/duration.js";

export function fmtNum(x: number | undefined, digits = 4): string {
  if (x === undefined || !Number.isFinite(x)) return "-";
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toString();
}

/** Bytes as MiB below a GiB, else GiB ("312 MiB", "1.42 GiB"); "-" when unknown. */
export function fmtBytes(b: number | undefined): string {
  if (b === undefined || !Number.isFinite(b) || b < 0) return "-";
  return b < 2 ** 30 ? `${Math.round(b / 2 ** 20)} MiB` : `${(b / 2 ** 30).toFixed(2)} GiB`;
}

/** A p-value as printed: three significant digits from 0.001 up, so no rounding crosses a threshold a gate
 * reads (p 0.0498 printed "0.050" beside a passing `p_value < 0.05`; figures38 #9), two below. */
export function fmtP(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return "?";
  return p >= 1e-3 ? Number(p.toPrecision(3)).toString() : p.toPrecision(2);
}
