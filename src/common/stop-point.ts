// Stop points in long data preparation. `alignc run` builds the data its stages need before it
// computes anything (run/executor.ts prepare()); a Ctrl-C then has no step to finish and nothing to
// save, so the build should stop at once rather than finish first. The data layer does not know about
// signals: it calls checkStop() between rows and stopPoint() between sources and blocks, and the caller
// that wants them to stop runs the build inside whileStoppable(). The flag is per async context
// (AsyncLocalStorage): two runs in one process (tests) stop each on its own signal, and a build outside
// whileStoppable (check, plan, a stage's own data) never stops this way.
import { AsyncLocalStorage } from "node:async_hooks";

/** Thrown at a stop point once a stop was asked for: nothing half-built is kept (the build's promise rejects). */
export class StopRequested extends Error {
  constructor() {
    super("stopped by a signal during data preparation");
    this.name = "StopRequested";
  }
}

const wanted = new AsyncLocalStorage<() => boolean>();

/** Run `body` with its stop points live: they throw StopRequested once `stop()` is true. */
export function whileStoppable<T>(stop: () => boolean, body: () => Promise<T>): Promise<T> {
  return wanted.run(stop, body);
}

/** Between rows (cheap; the row loop must itself let the event loop turn, as a streamed read does). */
export function checkStop(): void {
  if (wanted.getStore()?.()) throw new StopRequested();
}

/** Between sources and blocks: let a pending signal's handler run, then check. */
export async function stopPoint(): Promise<void> {
  if (!wanted.getStore()) return;
  await new Promise((r) => setImmediate(r));
  checkStop();
}
