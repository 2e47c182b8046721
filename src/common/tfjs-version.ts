// The TensorFlow.js release that computes here, read from @tensorflow/tfjs-core's package.json (without
// loading TensorFlow.js: a run that computes nothing never pays for it). Every backend alignc loads
// (wasm, cpu, the native tfjs-node) is refused unless it registers with this one core
// (src/train/backend.ts), so the core's version names the release of all of them.
import { createRequire } from "node:module";

let version: string | undefined;

export function tfjsVersion(): string {
  if (version === undefined) {
    const require = createRequire(import.meta.url);
    version = (require("@tensorflow/tfjs-core/package.json") as { version: string }).version;
  }
  return version;
}

/**
 * A backend with the release that computed on it (`wasm, tfjs 4.22.0`): how a cache entry records what
 * made it. Figures are bit-identical on one backend of one release only (a release may change a
 * kernel's summation order), so two releases count as two backends in a run's mixed-backends note.
 */
export function backendLabel(backend: string): string {
  return `${backend}, tfjs ${tfjsVersion()}`;
}
