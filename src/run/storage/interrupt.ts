// Ctrl-C handling: the first SIGINT (or SIGTERM) asks the running stage to stop after its current
// step, save a checkpoint and exit 130; a second one exits at once (the cache stays consistent:
// every write is atomic, so the worst case is losing the steps since the last checkpoint).
export class Interrupt {
  private requestedBy: NodeJS.Signals | null = null;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();

  constructor(private readonly say: (line: string) => void = (l) => process.stderr.write(l + "\n")) {}

  get requested(): boolean {
    return this.requestedBy !== null;
  }

  /** Ask to stop, as a signal would (tests and library callers). */
  request(signal: NodeJS.Signals = "SIGINT"): void {
    if (this.requestedBy !== null) return;
    this.requestedBy = signal;
  }

  install(signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"]): this {
    for (const sig of signals) {
      const h = () => {
        if (this.requestedBy !== null) {
          this.say(`\n${sig} again: stopping now (resume continues from the last checkpoint)`);
          process.exit(130);
        }
        this.requestedBy = sig;
        this.say(`\n${sig}: finishing the current step and saving a checkpoint (${sig === "SIGINT" ? "Ctrl-C" : sig} again to stop at once)`);
      };
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    return this;
  }

  /** A signal that has arrived but not been read by the event loop yet is lost when the last
   * listener goes: a command that may not have turned the loop since calls handlePendingSignals()
   * (common/temp-cleanup.ts) first. */
  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
  }
}

/** Give the event loop a turn so a pending SIGINT handler runs between synchronous training steps. */
export function yieldToSignals(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
