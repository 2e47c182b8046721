// Quantities: `10m` → 600 s, `4GiB` → 4294967296 B, `2k` → 2000. Units are case-sensitive so that
// `m` (minutes) and `M` (millions) stay apart.
import type { IRQuantity } from "./ir.js";

const UNITS: Record<string, { factor: number; unit: IRQuantity["unit"] }> = {
  ms: { factor: 1e-3, unit: "s" },
  s: { factor: 1, unit: "s" },
  m: { factor: 60, unit: "s" },
  min: { factor: 60, unit: "s" },
  h: { factor: 3600, unit: "s" },
  d: { factor: 86400, unit: "s" },
  B: { factor: 1, unit: "B" },
  KB: { factor: 1e3, unit: "B" },
  MB: { factor: 1e6, unit: "B" },
  GB: { factor: 1e9, unit: "B" },
  TB: { factor: 1e12, unit: "B" },
  KiB: { factor: 1024, unit: "B" },
  MiB: { factor: 1024 ** 2, unit: "B" },
  GiB: { factor: 1024 ** 3, unit: "B" },
  TiB: { factor: 1024 ** 4, unit: "B" },
  k: { factor: 1e3, unit: "" },
  K: { factor: 1e3, unit: "" },
  M: { factor: 1e6, unit: "" },
  G: { factor: 1e9, unit: "" },
  T: { factor: 1e12, unit: "" },
};

export const UNIT_NAMES: readonly string[] = Object.keys(UNITS);

/** The normalised quantity, or null for an unknown unit. */
export function normaliseQuantity(value: number, unit: string): IRQuantity | null {
  const u = UNITS[unit];
  if (!u) return null;
  // round away float noise from the factor (0.1h → 360 s, not 360.00000000000006)
  const v = Number((value * u.factor).toPrecision(15));
  return { $quantity: v, unit: u.unit };
}

export const UNIT_KIND: Record<IRQuantity["unit"], string> = { s: "a duration (90s, 10m, 2h)", B: "a size (512MiB, 4GiB)", "": "a count (2k, 5M)" };
