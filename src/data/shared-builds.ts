// One memo of data builds shared by the data plans of a sweep's variants (`alignc check`). A data
// plan memoises its builds by content keys only (build.ts, build-source.ts: a node's seed key, which
// is its plan hash under a fixed engine, src/plan/hash.ts; a file's path), never by a variant's name,
// so a build is the same whichever variant asked for it: a learning-rate sweep's variants lower to
// data nodes of the same seed keys and share every build, and a sweep over a data parameter (a
// holdout, a template count, `shots`) gives its nodes other seed keys, so each distinct node is still
// built and checked. Before, every variant built everything again (~100 ms a variant on the
// quickstart: a 4,096-variant sweep took minutes).
//
// Memory: one variant's builds were held at a time (huntZ40: holding all 1,000 variants' ended in an
// out-of-memory crash), so this memo is bounded by variants, not entries (entries differ in size, and a
// bound in entries kept some twenty variants of a holdout sweep: reviewR42 M4): a build no variant of the
// last KEEP_VARIANTS has read goes when the next variant starts. What every variant reads stays (each
// variant reads it again); a sweep whose data values come back after more variants than that rebuilds
// them, as before this memo.
/** How many variants' builds the memo holds besides the current one's. */
export const KEEP_VARIANTS = 4;

/** A Map (the shape DataPlan.memo has) bounded by variants (above) and with a count of the builds
 * made, by key (a test counts them: a hyperparameter sweep builds each data node once). */
export class SharedBuilds extends Map<string, Promise<unknown>> {
  /** Builds started, by memo key (a miss in `cached`, build-source.ts). */
  readonly made = new Map<string, number>();
  private variant = 0;
  private lastUse = new Map<string, number>(); // the last variant that read or made each key

  override get(key: string): Promise<unknown> | undefined {
    const p = super.get(key);
    if (p !== undefined && this.lastUse !== undefined) this.lastUse.set(key, this.variant);
    return p;
  }

  override set(key: string, p: Promise<unknown>): this {
    // `super` calls this during construction, before the fields exist
    if (this.made !== undefined) {
      this.made.set(key, (this.made.get(key) ?? 0) + 1);
      this.lastUse.set(key, this.variant);
    }
    return super.set(key, p);
  }

  override delete(key: string): boolean {
    this.lastUse?.delete(key); // a failed build is forgotten (plan-input.ts `cached`)
    return super.delete(key);
  }

  /** The next variant starts: what none of the last KEEP_VARIANTS variants read goes. */
  nextVariant(): void {
    this.variant++;
    for (const [key, last] of this.lastUse)
      if (last < this.variant - KEEP_VARIANTS) {
        this.lastUse.delete(key);
        super.delete(key);
      }
  }

  /** Builds made more than once (evicted, or failed and forgotten, and asked for again). */
  get rebuilt(): number {
    let n = 0;
    for (const c of this.made.values()) n += c - 1;
    return n;
  }
}
