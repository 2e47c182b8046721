// Stopping `alignc run` (and `test`, and the draws of `label`) by a signal:
//   first SIGINT, SIGTERM or SIGHUP   the running stage stops after its current step, saves a
//                                     checkpoint, the run is recorded as interrupted and its locks
//                                     released; exit 130 (129 for SIGHUP: a closed terminal or ssh
//                                     session sends it, and without a handler it killed the run at
//                                     once, like kill -9)
//   a second SIGINT or SIGTERM        stop now: the stop-now hooks (onStopNow) record the run as
//                                     interrupted and release its locks, synchronously, then the
//                                     process exits (the steps since the last checkpoint are lost;
//                                     every cache write is atomic, so nothing is half-written)
// A second SIGHUP does not stop at once: closing a terminal can send two (the kernel's, and the
// shell's to its jobs), and neither is a user insisting. Output that can no longer be written (a
// closed pipe or terminal: cli/main.ts) asks for a graceful stop through requestStop, never the
// stop-now one.
import { releaseSignals } from "../../common/temp-cleanup.js";

const installed = new Set<Interrupt>();

/** What a signal does in the phase under way, when it is not the default's (see signalWordsDuring). */
let phase: { first: string; again: string } | null = null;

/**
 * While `alignc run` prepares data nothing can be checkpointed: a signal then stops the preparation
 * (common/stop-point.ts), and says that, not "saving a checkpoint". Returns the function that ends the phase.
 */
export function signalWordsDuring(words: { first: string; again: string }): () => void {
  const before = phase;
  phase = words;
  return () => {
    phase = before;
  };
}

export class Interrupt {
  private requestedBy: NodeJS.Signals | null = null;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();

  /**
   * `say` prints a line; `first` and `again` say what the first and a second signal do (a command
   * that trains nothing, `alignc test --no-run`, has no checkpoint to save).
   */
  constructor(
    private readonly say: (line: string) => void = (l) => process.stderr.write(l + "\n"),
    private readonly words: { first?: string; again?: string } = {},
  ) {}

  get requested(): boolean {
    return this.requestedBy !== null;
  }

  /** The exit code of a stop by the signal that came: 129 for SIGHUP, 130 for Ctrl-C and SIGTERM. */
  get exitCode(): number {
    return stopCode(this.requestedBy ?? "SIGINT");
  }

  /** Ask to stop, as a signal would (tests and library callers). */
  request(signal: NodeJS.Signals = "SIGINT"): void {
    if (this.requestedBy !== null) return;
    this.requestedBy = signal;
  }

  install(signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"]): this {
    for (const sig of signals) {
      const h = () => {
        const name = sig === "SIGINT" ? "Ctrl-C" : sig;
        if (this.requestedBy !== null && sig === "SIGHUP") return; // already stopping; see above
        if (this.requestedBy !== null) {
          this.say(`\n${name} again: ${phase?.again ?? this.words.again ?? "stopping now (resume continues from the last checkpoint)"}`);
          const code = this.exitCode;
          runStopNowHooks(code);
          // stopping after a SIGHUP: end by SIGHUP, as bin/alignc.js does (exit() would reset the dead
          // terminal and abort: nodejs/node#51519)
          this.uninstall();
          releaseSignals(); // the temp-file guard's listeners (common/temp-cleanup.ts): the process exits now
          if (code === 129 && process.listenerCount("SIGHUP") === 0) process.kill(process.pid, "SIGHUP");
          process.exit(code);
        }
        this.requestedBy = sig;
        const atOnce = sig === "SIGINT" ? "Ctrl-C again" : sig === "SIGHUP" ? "Ctrl-C or SIGTERM" : `${sig} again`;
        this.say(`\n${name}: ${phase?.first ?? this.words.first ?? "finishing the current step and saving a checkpoint"} (${atOnce} to stop at once)`);
      };
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    installed.add(this);
    return this;
  }

  /** A signal that has arrived but not been read by the event loop yet is lost when the last
   * listener goes: a command that may not have turned the loop since calls handlePendingSignals()
   * (common/temp-cleanup.ts) first. */
  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
    installed.delete(this);
  }
}

/** Ask every installed Interrupt to stop gracefully, as a first `sig` would (a second never stops
 * at once from here). Returns whether one was installed. */
export function requestStop(sig: NodeJS.Signals): boolean {
  for (const i of installed) i.request(sig);
  return installed.size > 0;
}

/** 129 for SIGHUP, else 130: `alignc run`'s "interrupted" (documented as 130 for Ctrl-C and SIGTERM). */
export function stopCode(sig: NodeJS.Signals): number {
  return sig === "SIGHUP" ? 129 : 130;
}

/** Whether a run's exit code says it was interrupted (and resumes from its checkpoint). */
export function isInterruptedCode(code: number): boolean {
  return code === 130 || code === 129;
}

const stopNowHooks = new Set<(code: number) => void>();

/**
 * Run `hook(exitCode)` synchronously if the process is stopped at once by a second signal; returns
 * the function that removes it. Hooks must be quick and synchronous (the process exits right after).
 */
export function onStopNow(hook: (code: number) => void): () => void {
  stopNowHooks.add(hook);
  return () => stopNowHooks.delete(hook);
}

function runStopNowHooks(code: number): void {
  for (const h of [...stopNowHooks]) {
    try {
      h(code);
    } catch {
      // a record that cannot be written now (a full disk) must not keep the user's "stop now" from stopping
    }
  }
}

/** Give the event loop a turn so a pending SIGINT handler runs between synchronous training steps. */
export function yieldToSignals(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
