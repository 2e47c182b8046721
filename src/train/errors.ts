/** A non-finite loss or gradient: the update was not applied, so the trainer still holds the last good
 * state (the stage loop saves it as a checkpoint, src/run/nodes/stages.ts). */
export class NonFiniteError extends Error {
  constructor(
    readonly stage: string,
    readonly step: number,
    readonly what: "loss" | "gradient",
    readonly value: number,
  ) {
    super(`${stage}: non-finite ${what} (${value}) at step ${step}; the update was not applied`);
    this.name = "NonFiniteError";
  }
}

/** Bad engine input (shapes, token ids, config) found before any tensor work. */
export class TrainInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TrainInputError";
  }
}
