import type { ImagePipeline } from '@perfusion/pipeline';

/** Work for one worker: a generation, or the variants of a sweep one after another. */
export interface PoolJob {
  /**
   * Runs on the worker the pool lends; the worker is lent until the promise settles. A job that is
   * cancelled while it runs must settle promptly (unsubscribing is enough: the worker pipeline
   * queues the next generation until the cancelled one has stopped).
   */
  run(worker: ImagePipeline): Promise<void>;
  /** Its 1-based place among the jobs not yet started; called on enqueue and on every change. */
  onPosition(position: number): void;
  /**
   * Called once {@link run} has settled and its worker is back in the pool (or lent to the next
   * job): from then on the pool's status no longer counts this job.
   */
  afterRun(): void;
}

/** A job the pool accepted. */
export interface PoolTicket {
  /** Takes a waiting job out of the queue; no effect once it runs (the job cancels itself then) or has ended. */
  withdraw(): void;
}

/** What `GET /api/status` reports about the pool. */
export interface PoolStatus {
  readonly workers: { readonly total: number; readonly busy: number };
  readonly queue: { readonly waiting: number; readonly capacity: number };
}

interface Waiting {
  readonly job: PoolJob;
  position: number;
}

/**
 * A fixed set of worker pipelines (one generation at a time each) and a bounded FIFO queue in
 * front of them. `submit` never waits: a job starts on a free worker, or waits in the queue, or —
 * when every worker is busy and `capacity` jobs already wait — is refused at once.
 */
export class WorkerPool {
  private readonly idle: ImagePipeline[];
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly workers: readonly ImagePipeline[],
    /** How many jobs may wait beyond those running. */
    readonly capacity: number,
  ) {
    this.idle = [...workers];
  }

  get status(): PoolStatus {
    return { workers: { total: this.workers.length, busy: this.running }, queue: { waiting: this.waiting.length, capacity: this.capacity } };
  }

  /** Queues `job` (it starts as soon as a worker is free), or returns undefined when the queue is full. */
  submit(job: PoolJob): PoolTicket | undefined {
    if (this.idle.length === 0 && this.waiting.length >= this.capacity) return undefined;
    const entry: Waiting = { job, position: this.waiting.length + 1 };
    this.waiting.push(entry);
    job.onPosition(entry.position);
    this.dispatch();
    return {
      withdraw: () => {
        const at = this.waiting.indexOf(entry);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        this.announcePositions();
      },
    };
  }

  /** Releases every worker (their running generations end with `PipelineReleasedError`). */
  async release(): Promise<void> {
    this.waiting.length = 0;
    await Promise.allSettled(this.workers.map((worker) => worker.release()));
  }

  private dispatch(): void {
    let started = false;
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.shift()!;
      const { job } = this.waiting.shift()!;
      started = true;
      this.running++;
      void this.lend(worker, job);
    }
    if (started) this.announcePositions();
  }

  private async lend(worker: ImagePipeline, job: PoolJob): Promise<void> {
    try {
      await job.run(worker);
    } catch {
      // A job reports its own failures to its client; the worker goes back to the pool regardless.
    } finally {
      this.running--;
      this.idle.push(worker);
      this.dispatch();
      job.afterRun();
    }
  }

  private announcePositions(): void {
    this.waiting.forEach((entry, i) => {
      if (entry.position === i + 1) return;
      entry.position = i + 1;
      entry.job.onPosition(entry.position);
    });
  }
}
