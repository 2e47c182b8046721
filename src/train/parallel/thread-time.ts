// Where a thread's time went, from Linux's per-thread scheduler statistics
// (/proc/thread-self/schedstat: nanoseconds run on a CPU, nanoseconds waited runnable for one). The
// parallel bench uses them to tell a share that computes slowly (more CPU time: code, caches, memory
// bandwidth) from one that waited for a core (another process or thread ran instead). Elsewhere
// (not Linux) they are absent and the bench prints wall time alone.
import { readFileSync } from "node:fs";

export interface ThreadTimes {
  /** ms this thread ran on a CPU */
  cpuMs: number;
  /** ms this thread was runnable but waited for a CPU */
  queuedMs: number;
}

let available = process.platform === "linux";

/** This thread's cumulative times, or null where the kernel does not report them. */
export function threadTimes(): ThreadTimes | null {
  if (!available) return null;
  try {
    const [run, wait] = readFileSync("/proc/thread-self/schedstat", "latin1").split(" ");
    return { cpuMs: Number(run) / 1e6, queuedMs: Number(wait) / 1e6 };
  } catch {
    available = false;
    return null;
  }
}

/** The times spent between two readings (zeros when either is missing). */
export function since(before: ThreadTimes | null, after: ThreadTimes | null = threadTimes()): ThreadTimes {
  if (!before || !after) return { cpuMs: 0, queuedMs: 0 };
  return { cpuMs: after.cpuMs - before.cpuMs, queuedMs: after.queuedMs - before.queuedMs };
}
