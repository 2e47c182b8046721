// Which backend's arithmetic a run's figures are: a cache hit reuses an entry whatever backend made
// it (the hash covers what is computed, not the float order), and figures are bit-identical on one
// backend only (wasm, cpu and tensorflow sum in other orders), so a run that mixes them says so. An
// entry names its backend with the TensorFlow.js release (`wasm, tfjs 4.22.0`: a release may change a
// kernel), so two releases of one backend are two here; entries made before alignc recorded the
// release say only the backend, and count apart from those that say both. A stage stopped on one
// backend and resumed on another is computed by both (its label names both: entry-inputs.ts).
import type { Manifest } from "../storage/rundir.js";
import { backendsIn } from "../storage/entry-inputs.js";
import { byCodeUnits } from "../../common/code-order.js";

/** Backend → the nodes whose entries it computed, over nodes that record one (older entries do not). */
export function backendsOf(m: Pick<Manifest, "nodes">): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // a stage resumed on another backend than its checkpoint's counts under both
  for (const n of m.nodes) if (n.computedOn) for (const b of backendsIn(n.computedOn)) out.set(b, [...(out.get(b) ?? []), n.label]);
  return out;
}

/** A line when the run's figures come from more than one backend, else null. */
export function mixedBackendsNote(m: Pick<Manifest, "nodes">): string | null {
  const by = backendsOf(m);
  if (by.size < 2) return null;
  const parts = [...by].sort(([a], [b]) => byCodeUnits(a, b)).map(([b, labels]) => `${b}: ${labels.join(", ")}`);
  return `note: these figures come from ${by.size} backends (${parts.join("; ")}); figures are bit-identical on one backend only, so \`--force\` the nodes of the others to recompute them here (each entry that records its inputs and was computed from one that comes out different is then computed again too)`;
}
