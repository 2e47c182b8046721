// Small inline SVG line plots for report.html: no script, no external files, so the report opens
// anywhere (and in headless Chromium for the test) exactly as written.
import { maxOf, minOf } from "../../common/arrays.js";

export interface Series {
  name: string;
  points: [x: number, y: number][];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (lo === hi) return [lo];
  const span = hi - lo;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function label(x: number): string {
  if (x !== 0 && (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-2)) return x.toExponential(1);
  return Number(x.toPrecision(3)).toString();
}

/** A line plot of one or more series against step. Non-finite points are dropped. */
export function linePlot(title: string, series: Series[], opts: { width?: number; height?: number; xLabel?: string } = {}): string {
  const W = opts.width ?? 360;
  const H = opts.height ?? 200;
  const m = { l: 48, r: 12, t: 24, b: 32 };
  const clean = series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) })).filter((s) => s.points.length > 0);
  const all = clean.flatMap((s) => s.points);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" class="plot" role="img" aria-label="${escapeHtml(title)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`;
  const titleEl = `<text x="${W / 2}" y="15" text-anchor="middle" font-size="12" font-weight="bold">${escapeHtml(title)}</text>`;
  if (all.length === 0) return `${head}${titleEl}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="11" fill="#888">no data</text></svg>`;
  let [x0, x1] = [minOf(all.map((p) => p[0])), maxOf(all.map((p) => p[0]))];
  let [y0, y1] = [minOf(all.map((p) => p[1])), maxOf(all.map((p) => p[1]))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - Math.abs(y0 || 1) * 0.1, y1 + Math.abs(y1 || 1) * 0.1];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [head, titleEl];
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#ccc"/>`);
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${(sy(t) + 3).toFixed(1)}" text-anchor="end" font-size="10">${label(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1)) parts.push(`<text x="${sx(t).toFixed(1)}" y="${H - m.b + 12}" text-anchor="middle" font-size="10">${label(t)}</text>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle" font-size="10" fill="#555">${escapeHtml(opts.xLabel ?? "step")}</text>`);
  clean.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const d = s.points.map(([x, y], j) => `${j ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    parts.push(`<path class="series" data-name="${escapeHtml(s.name)}" d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    if (s.points.length === 1) parts.push(`<circle cx="${sx(s.points[0]![0]).toFixed(1)}" cy="${sy(s.points[0]![1]).toFixed(1)}" r="3" fill="${color}"/>`);
    if (clean.length > 1) parts.push(`<text x="${W - m.r - 4}" y="${m.t + 12 + i * 12}" text-anchor="end" font-size="10" fill="${color}">${escapeHtml(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
