// What to do after an interrupted run, said from what the run left (its manifest): a checkpoint to
// resume from, or nothing computed at all. `alignc run` and `alignc label` (its draw) print it.
import type { Manifest } from "../storage/rundir.js";

/** The hint, one line ending in a newline; `again` is the command to run again. */
export function interruptedHint(m: Manifest, again: string): string {
  if (m.interrupted === "data preparation")
    return `interrupted during data preparation: nothing computed, nothing to resume; run \`${again}\` again to start (cached nodes are reused)\n`;
  const stopped = m.nodes.filter((n) => n.status === "interrupted");
  if (stopped.some((n) => n.checkpointStep !== undefined)) return `interrupted: run \`${again}\` again to resume from the checkpoint\n`;
  const waited = stopped.find((n) => n.waitedForPid !== undefined);
  if (waited)
    // a Ctrl-C during the wait for another run's lock: this run has no checkpoint of the node
    return `interrupted while waiting for pid ${waited.waitedForPid ?? "?"}, which is computing ${waited.label}: nothing of it computed here, no checkpoint saved; run \`${again}\` again to reuse it once that run has finished it (or go on from that run's checkpoint)\n`;
  return `interrupted before a checkpoint was saved: nothing to resume; run \`${again}\` again to compute what is not cached\n`;
}
