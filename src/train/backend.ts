// Backend selection. One @tensorflow/tfjs-core instance is shared by every backend: cpu and wasm
// register themselves into it on import; tfjs-node(-gpu) registers "tensorflow" into the core it
// resolves, which is this one when its version matches (npm dedupes), checked below.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
// tfjs-core's Node bundle registers no gradients; tfjs-core's own gradient module is ESM that Node
// cannot load (directory imports). The @tensorflow/tfjs bundle registers them all into the shared core.
import "@tensorflow/tfjs";

export { tf };

export type BackendName = "tensorflow" | "wasm" | "cpu";

/** The wasm backend's heap cap (past it: `RuntimeError: Aborted()`); memory estimates must stay under it. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** Fastest first: native TensorFlow (CUDA or CPU), then wasm SIMD (17–19× cpu for training), then pure JS. */
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`backend "${backend}" is not available: ${reason}`);
    this.name = "BackendUnavailableError";
  }
}

const INSTALL_TENSORFLOW =
  "install it with `npm install @tensorflow/tfjs-node@4.22.0` (CPU) or `npm install @tensorflow/tfjs-node-gpu@4.22.0` (CUDA); " +
  "their install script downloads libtensorflow, so it needs internet access";

/** Which native package provided the tensorflow backend, when it loaded. */
let nativePackage: string | undefined;

async function loadTensorflow(): Promise<void> {
  if (tf.findBackendFactory("tensorflow")) return;
  const failures: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      // A variable specifier keeps tsc from requiring the (optional) package's types.
      const specifier: string = pkg;
      await import(specifier);
      nativePackage = pkg;
      break;
    } catch (e) {
      failures.push(`${pkg}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  if (!nativePackage) throw new BackendUnavailableError("tensorflow", `${failures.join("; ")}. To use it, ${INSTALL_TENSORFLOW}`);
  if (!tf.findBackendFactory("tensorflow"))
    throw new BackendUnavailableError(
      "tensorflow",
      `${nativePackage} loaded but registered with another copy of @tensorflow/tfjs-core (version mismatch); install the 4.22.0 release so npm shares one core`,
    );
}

/** Make `name` the active backend, or throw BackendUnavailableError saying how to get it. */
export async function useBackend(name: BackendName): Promise<BackendName> {
  if (name === "tensorflow") await loadTensorflow();
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new BackendUnavailableError(name, (e as Error).message);
  }
  if (!ok) {
    const how = name === "wasm" ? "reinstall @tensorflow/tfjs-backend-wasm (its .wasm binaries must sit beside the package)" : "reinstall @tensorflow/tfjs-backend-cpu";
    throw new BackendUnavailableError(name, `initialisation failed; ${how}`);
  }
  await tf.ready();
  // The cpu backend prints an "install tfjs-node" banner on first use; selection already told the user.
  if (name === "cpu") (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return name;
}

/**
 * `auto` tries tensorflow, wasm, cpu in that order and returns the first that loads; a named backend
 * is used or a BackendUnavailableError names how to install it. Returns the backend now active.
 */
export async function selectBackend(request: "auto" | BackendName = "auto"): Promise<BackendName> {
  if (request !== "auto") {
    if (!BACKEND_ORDER.includes(request)) throw new BackendUnavailableError(request, `unknown backend; choose one of auto, ${BACKEND_ORDER.join(", ")}`);
    return useBackend(request);
  }
  const reasons: string[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      return await useBackend(name);
    } catch (e) {
      reasons.push((e as Error).message);
    }
  }
  throw new BackendUnavailableError("auto", reasons.join("; "));
}

/** The active backend's name (after selectBackend). */
export function activeBackend(): BackendName {
  return tf.getBackend() as BackendName;
}

/** Which backends load here, without leaving a different one active. */
export async function availableBackends(): Promise<BackendName[]> {
  const before = tf.getBackend();
  const out: BackendName[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      await useBackend(name);
      out.push(name);
    } catch {
      /* not available */
    }
  }
  if (before) await tf.setBackend(before);
  return out;
}

export function nativeTensorflowPackage(): string | undefined {
  return nativePackage;
}
