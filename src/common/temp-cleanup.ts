// Temp files and staging folders alignc is writing right now, removed when the process is stopped by
// a signal while they exist. An atomic write puts its temp file beside the target (the user's recipe
// folder for `fmt`, the folder of `data --export`, the parent of an export folder): without this, a
// Ctrl-C that lands during the write kills node by the signal's default action and leaves the temp
// file there for good. (A SIGKILL cannot be caught: the next write of the same target removes the
// temps of writers that are gone, see atomic-write.ts.)
//
// How: the first tracked path installs a listener for SIGINT, SIGTERM and SIGHUP. It acts only when
// no command of alignc listens for that signal itself (run, test and label stop gracefully, and
// their synchronous writes finish before any handler runs): then it removes the tracked paths and
// raises the signal again with the default action restored, so the process still dies of it (the
// shell's 130 / 143 / 129). A listener delays a signal until the event loop turns, so a synchronous
// write in progress always completes first. The listeners stay until the command has returned
// (main() lets a pending signal in, then calls releaseSignals): a listener removed while its signal
// waits to be dispatched would drop the signal (the command would carry on as if no Ctrl-C had been
// pressed). Commands that stop gracefully exit through process.exit or a return, which the 'exit'
// hook covers.
import { rmSync } from "node:fs";
import { basename } from "node:path";
import { constants } from "node:os";

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** temp path → the file or folder it is to replace (what an interrupt leaves as it was) */
const live = new Map<string, string>();
const listeners = new Map<NodeJS.Signals, () => void>();

function removeLive(): void {
  for (const p of live.keys()) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // a path that cannot be removed now is swept by the next write of its target
    }
  }
  live.clear();
}

let exitHooked = false;

function install(): void {
  if (listeners.size) return;
  for (const sig of SIGNALS) {
    const onSignal = (): void => {
      // prepended, so this runs before any other listener, even a `once` one that removes itself
      if (commandStopsOn(sig)) return;
      // said, not silent: which target kept its old contents and that nothing is half-written (a Ctrl-C
      // during `data --export` exited 130 without a word, whether or not the file had been replaced: audit35 L7)
      const kept = [...new Set(live.values())].map((t) => basename(t)).join(", ");
      process.stderr.write(`alignc: interrupted: ${kept ? `${kept} left as it was (what was being written to it is dropped); ` : ""}every file already put in place is whole\n`);
      removeLive();
      releaseSignals();
      process.kill(process.pid, sig); // no listener left: the default action, death by the signal
      // only reached if the signal went to another thread and has not ended the process yet
      process.exit(128 + (constants.signals[sig] ?? 0));
    };
    listeners.set(sig, onSignal);
    process.prependListener(sig, onSignal);
  }
  if (!exitHooked) process.on("exit", removeLive);
  exitHooked = true;
}

/**
 * Give the signals back their default action once the command is done (after handlePendingSignals):
 * a signal that comes while node tears the process down is never read by the event loop, so with a
 * listener it would be lost and the exit 0; without one it ends the process as it always did.
 */
export function releaseSignals(): void {
  if (live.size) return; // still writing (cannot happen once a command has returned): keep the guard
  for (const [s, l] of listeners) process.off(s, l);
  listeners.clear();
}

/** Remove `path` (a file or folder) if the process is stopped by a signal before `untrackTemp(path)`;
 * `target`: what it is to replace, named when it is. */
export function trackTemp(path: string, target: string): void {
  install();
  live.set(path, target);
}

export function untrackTemp(path: string): void {
  live.delete(path);
}

/** Whether a command installed its own handler for `sig` (not counting the temp-file cleanup's). */
export function commandStopsOn(sig: NodeJS.Signals): boolean {
  const own = listeners.get(sig);
  return process.listeners(sig).some((l) => l !== own);
}

/**
 * Let a signal that arrived during synchronous work be handled now. A listener runs when the event
 * loop reads the signal, in its poll phase; one setImmediate can come before that (when called from
 * a poll-phase callback), two cannot.
 */
export async function handlePendingSignals(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((r) => setImmediate(r));
}
