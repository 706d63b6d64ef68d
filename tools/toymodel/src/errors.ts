/** Base class of the toy model's errors. */
export class ToyModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Two graphs cannot be joined as asked (a value name used by both, a missing input or output). */
export class GraphJoinError extends ToyModelError {}

/** A base-training run cannot start or continue (bad options, a checkpoint of another run). */
export class BaseTrainingError extends ToyModelError {}
