import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCovariance, writeCovariance, type CovarianceDType, type CovarianceFile } from '@perfusion/concept-format';
import { builtInCaptions, CovarianceInverse } from '@perfusion/key-lock';
import {
  computeCovariance,
  corpusLabel,
  CovarianceCancelledError,
  type CaptionEncoder,
  type CaptionTokenizer,
  type CovarianceProgress,
} from './compute-covariance.js';
import { covarianceFileName, writableDir } from './covariance-cache.js';

/** Options of `Pipeline.covariance`. */
export interface CovarianceOptions {
  /**
   * The caption corpus. Default: `@perfusion/key-lock`'s `builtInCaptions()` (5,000 varied
   * captions). A cached covariance is reused only if it was computed from the same corpus (its
   * label is stored in the file); without `captions`, any cached covariance of this model is used.
   */
  readonly captions?: readonly string[];
  /** Compute it again even if one is cached (and replace the cached file). Default false. */
  readonly recompute?: boolean;
  /**
   * Use the covariance in this file (checked against the model's fingerprint and width: another
   * model's throws `CovarianceMismatchError`) instead of the cache. It is not copied into the cache.
   */
  readonly file?: string;
  /** Progress while computing: `done` captions of `total`, from 0 to total. A promise is awaited. */
  readonly onProgress?: (progress: CovarianceProgress) => void | Promise<void>;
  /** Captions per text-encoder call while computing. Default 32. */
  readonly batchSize?: number;
  /** Element type the computed covariance is stored in. Default `'float64'`. */
  readonly dtype?: CovarianceDType;
}

/** The covariance a pipeline uses, and where it came from. */
export interface CovarianceInfo {
  /** The base-model fingerprint it belongs to. */
  readonly fingerprint: string;
  /** d. */
  readonly dim: number;
  /** Encodings (token rows) averaged. */
  readonly count: number;
  /** Captions encoded. */
  readonly captions: number;
  /** The corpus label stored with it (`builtin:5000:seed0`, or a hash of custom captions). */
  readonly corpus: string | undefined;
  /** The file it was read from or written to; undefined when computed but no cache folder was writable. */
  readonly file: string | undefined;
  /** `'memory'`: already loaded; `'file'`: read from `file`; `'computed'`: computed now (and written to `file`). */
  readonly source: 'memory' | 'file' | 'computed';
  /** Milliseconds this call took (computing includes encoding every caption). */
  readonly ms: number;
}

/** One generation (or API call) waiting for a covariance job. */
export interface CovarianceWaiter {
  readonly onProgress?: (progress: CovarianceProgress) => void | Promise<void>;
  readonly isCancelled?: () => boolean;
}

interface Loaded {
  readonly inverse: CovarianceInverse;
  readonly info: Omit<CovarianceInfo, 'source' | 'ms'>;
}

interface Job {
  readonly waiters: Set<CovarianceWaiter>;
  latest: CovarianceProgress | undefined;
  promise: Promise<Loaded>;
}

/**
 * A base model's covariance C (as C⁻¹, key-lock's ridge-regularised inverse), found in the cache or
 * computed once and cached (`covariance-<fingerprint>.safetensors`, see `covarianceCacheDirs`).
 * Concurrent requests share one computation; it stops early only if every generation waiting for
 * it was cancelled.
 */
export class CovarianceStore {
  private loaded: Loaded | undefined;
  private job: Job | undefined;
  /** How many times a covariance was computed (tests, diagnostics). */
  computations = 0;

  constructor(
    private readonly fingerprint: string,
    private readonly dim: number,
    private readonly tokenizer: CaptionTokenizer,
    private readonly encoder: CaptionEncoder,
    private readonly cacheDirs: readonly string[],
    /** Called when the covariance in use changes (directions computed from the old one are stale). */
    private readonly onChange: () => void,
  ) {}

  /** C⁻¹ if a covariance is loaded. */
  get inverse(): CovarianceInverse | undefined {
    return this.loaded?.inverse;
  }

  /** Where the covariance would be cached first (the file may not exist yet). */
  get cachePath(): string {
    return path.join(this.cacheDirs[0]!, covarianceFileName(this.fingerprint));
  }

  /**
   * The covariance for a generation: the loaded one, else the cached file, else computed with the
   * built-in corpus (progress to `waiter`). Returns undefined when every waiter was cancelled.
   */
  async ensure(waiter: CovarianceWaiter): Promise<CovarianceInverse | undefined> {
    if (this.loaded !== undefined) return this.loaded.inverse;
    try {
      return (await this.join(waiter, async (job) => (await this.readCache(undefined)) ?? this.compute({}, job))).inverse;
    } catch (error) {
      if (error instanceof CovarianceCancelledError && waiter.isCancelled?.() === true) return undefined;
      throw error;
    }
  }

  /** `Pipeline.covariance`: see {@link CovarianceOptions}. */
  async get(options: CovarianceOptions = {}): Promise<CovarianceInfo> {
    const started = performance.now();
    const done = (loaded: Loaded, source: CovarianceInfo['source']): CovarianceInfo => ({ ...loaded.info, source, ms: performance.now() - started });
    // Let a computation in flight finish first (then this call may reuse it).
    if (this.job !== undefined) await this.job.promise.catch(() => undefined);
    if (options.file !== undefined) {
      const file = path.resolve(options.file);
      const read = await readCovariance(file, { fingerprint: this.fingerprint, dim: this.dim });
      return done(this.use(read, file), 'file');
    }
    const wanted = options.captions === undefined ? undefined : corpusLabel(options.captions);
    if (options.recompute !== true && this.loaded !== undefined && (wanted === undefined || this.loaded.info.corpus === wanted)) return done(this.loaded, 'memory');
    let source: CovarianceInfo['source'] = 'computed';
    const loaded = await this.join(options, async (job) => {
      if (options.recompute !== true) {
        const cached = await this.readCache(wanted);
        if (cached !== undefined) {
          source = 'file';
          return cached;
        }
      }
      return this.compute(options, job);
    });
    return done(loaded, source);
  }

  /** Joins the running job (a late waiter first hears the latest progress) or starts `work` as the new one. */
  private join(waiter: CovarianceWaiter, work: (job: Job) => Promise<Loaded>): Promise<Loaded> {
    const running = this.job;
    if (running !== undefined) {
      running.waiters.add(waiter);
      if (running.latest !== undefined) void Promise.resolve(waiter.onProgress?.(running.latest)).catch(() => undefined);
      return running.promise;
    }
    const job: Job = { waiters: new Set([waiter]), latest: undefined, promise: Promise.reject(new Error('not started')) };
    job.promise.catch(() => undefined);
    this.job = job;
    job.promise = Promise.resolve()
      .then(() => work(job))
      .finally(() => {
        if (this.job === job) this.job = undefined;
      });
    return job.promise;
  }

  /** The first readable cached covariance of this model (and corpus, when given); unreadable or foreign files are skipped. */
  private async readCache(corpus: string | undefined): Promise<Loaded | undefined> {
    for (const dir of this.cacheDirs) {
      const file = path.join(dir, covarianceFileName(this.fingerprint));
      if (!fs.existsSync(file)) continue;
      let read: CovarianceFile;
      try {
        read = await readCovariance(file, { fingerprint: this.fingerprint, dim: this.dim });
      } catch {
        continue; // damaged, or another model's under this name: computed again and replaced
      }
      if (corpus !== undefined && read.corpus !== corpus) continue;
      return this.use(read, file);
    }
    return undefined;
  }

  private async compute(options: CovarianceOptions, job: Job): Promise<Loaded> {
    const captions = options.captions ?? builtInCaptions();
    const estimate = await computeCovariance(this.tokenizer, this.encoder, captions, {
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
      onProgress: async (progress) => {
        job.latest = progress;
        await Promise.all([...job.waiters].filter((w) => w.isCancelled?.() !== true).map((w) => w.onProgress?.(progress)));
      },
      isCancelled: () => [...job.waiters].every((w) => w.isCancelled?.() === true),
    });
    this.computations++;
    const dtype = options.dtype ?? 'float64';
    const data = {
      // In memory exactly what the file holds, so a later load from the cache gives the same C⁻¹.
      matrix: dtype === 'float64' ? estimate.matrix : estimate.matrix.map(Math.fround),
      mean: dtype === 'float64' ? estimate.mean : estimate.mean.map(Math.fround),
      dim: estimate.dim,
      count: estimate.count,
      captions: estimate.captions,
      fingerprint: this.fingerprint,
      corpus: corpusLabel(options.captions),
      createdBy: '@perfusion/pipeline',
    };
    const dir = writableDir(this.cacheDirs);
    const file = dir === undefined ? undefined : path.join(dir, covarianceFileName(this.fingerprint));
    if (file !== undefined) await writeCovariance(file, data, { dtype });
    return this.use({ ...data, formatVersion: 1, dtype }, file);
  }

  private use(read: Omit<CovarianceFile, 'matrix'> & { matrix: Float64Array }, file: string | undefined): Loaded {
    const loaded: Loaded = {
      inverse: new CovarianceInverse(read.matrix, read.dim),
      info: { fingerprint: read.fingerprint, dim: read.dim, count: read.count, captions: read.captions, corpus: read.corpus, file },
    };
    this.loaded = loaded;
    this.onChange();
    return loaded;
  }
}
