// The TensorFlow.js release that computes here, read from the packages' package.json files (without
// loading TensorFlow.js: a run that computes nothing never pays for it): @tensorflow/tfjs-core, which
// every backend alignc loads must share (src/train/backend.ts), and the backend's own package, whose
// kernels do the arithmetic and which npm may resolve to another patch release than the core's.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const versions = new Map<string, string | null>();

/** The version of an installed package, or null when it cannot be resolved from here. */
function versionOf(pkg: string): string | null {
  if (!versions.has(pkg)) {
    try {
      versions.set(pkg, (require(`${pkg}/package.json`) as { version: string }).version);
    } catch {
      versions.set(pkg, null);
    }
  }
  return versions.get(pkg)!;
}

export function tfjsVersion(): string {
  return versionOf("@tensorflow/tfjs-core") ?? "unknown";
}

/** The package that holds a backend's kernels; the native one is the first of tfjs-node-gpu and
 * tfjs-node installed, the order src/train/backend.ts tries them in. */
function backendPackage(backend: string): string | null {
  if (backend === "wasm") return "@tensorflow/tfjs-backend-wasm";
  if (backend === "cpu") return "@tensorflow/tfjs-backend-cpu";
  if (backend === "tensorflow") return ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"].find((p) => versionOf(p) !== null) ?? null;
  return null;
}

/**
 * A backend with the release that computed on it (`wasm, tfjs 4.22.0`; `wasm, tfjs 4.22.0, backend
 * 4.22.1` when the backend's package is another release than the core): how a cache entry records what
 * made it, and part of a greedy-answer key. Figures are bit-identical on one backend of one release
 * only (a release may change a kernel's summation order), so two releases count as two backends in a
 * run's mixed-backends note.
 */
export function backendLabel(backend: string): string {
  const core = tfjsVersion();
  const pkg = backendPackage(backend);
  const own = pkg === null ? null : versionOf(pkg);
  return `${backend}, tfjs ${core}${own !== null && own !== core ? `, backend ${own}` : ""}`;
}
