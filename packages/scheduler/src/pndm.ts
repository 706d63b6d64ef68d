import { AlphaSchedule } from './alpha-schedule.js';
import type { SchedulerConfig } from './config.js';
import { PNDM_DEFAULTS, resolveSettings, type PndmSettings } from './defaults.js';
import { SchedulerArgumentError, SchedulerStateError } from './errors.js';
import { plmsOnlyTimesteps, prkTimesteps } from './pndm-timesteps.js';
import { requireLength, requireSupported, scratch } from './sample-checks.js';
import type { Scheduler, StepResult } from './scheduler.js';
import { spacedTimesteps } from './timesteps.js';

/** PLMS combines at most this many past model outputs (4th-order Adams–Bashforth). */
const PLMS_HISTORY = 4;

/**
 * PNDM (Liu, Ren, Lin & Zhao 2022, "Pseudo numerical methods for diffusion models on manifolds")
 * with the numerics of diffusers' `PNDMScheduler`, Stable Diffusion 1.x's default scheduler.
 *
 * With skip_prk_steps (SD-1.5) it runs pseudo linear multistep (PLMS) only: the first step is an
 * Euler step, the second repeats it with the average of two model outputs, then Adams–Bashforth
 * combinations of up to four past outputs. Without skip_prk_steps, 12 pseudo Runge–Kutta
 * evaluations come first. The scheduler keeps state between steps: call `step` once per timestep,
 * in order, after `setTimesteps`.
 */
export class PndmScheduler implements Scheduler {
  readonly name = 'pndm';
  readonly order = 1;
  readonly initNoiseSigma = 1;
  /** The settings in force: the config's values, diffusers' PNDM defaults for keys it lacks. */
  readonly settings: PndmSettings;
  private readonly alphas: AlphaSchedule;
  private schedule: readonly number[] = Object.freeze([]);
  private prkSchedule: readonly number[] = [];
  private stepRatio = 0;
  private counter = 0;
  /** Past model outputs, oldest first; `history` holds PLMS_HISTORY preallocated buffers. */
  private history: Float32Array[] = [];
  private historyCount = 0;
  private currentSample: Float32Array | undefined;
  private hasCurrentSample = false;
  private rkSum: Float64Array | undefined;
  private combined: Float64Array | undefined;

  constructor(readonly config: SchedulerConfig) {
    this.settings = resolveSettings(config, PNDM_DEFAULTS);
    const predictions = ['epsilon', 'v_prediction'] as const;
    requireSupported('PNDM', 'prediction_type', this.settings.predictionType, predictions, "diffusers' PNDM has none.");
    this.alphas = new AlphaSchedule(this.settings);
  }

  /** ᾱ_t for every training timestep (float32, as diffusers). */
  get alphasCumprod(): Float32Array {
    return this.alphas.alphasCumprod;
  }

  /** The visiting order, pseudo Runge–Kutta timesteps (if any) first; see the class notes. */
  get timesteps(): readonly number[] {
    return this.schedule;
  }

  setTimesteps(numInferenceSteps: number): void {
    const { timestepSpacing, numTrainTimesteps, stepsOffset, skipPrkSteps } = this.settings;
    const spacing = { spacing: timestepSpacing, numTrainTimesteps, stepsOffset, roundLinspace: true };
    const base = spacedTimesteps(numInferenceSteps, spacing).reverse();
    if (skipPrkSteps) {
      this.prkSchedule = [];
      this.schedule = Object.freeze(plmsOnlyTimesteps(base));
    } else {
      if (base.length < 2) {
        const why = 'PNDM with pseudo Runge-Kutta steps (skip_prk_steps false) needs at least 2 steps.';
        throw new SchedulerArgumentError('numInferenceSteps', why);
      }
      const { prk, plms } = prkTimesteps(base, numTrainTimesteps);
      this.prkSchedule = prk;
      this.schedule = Object.freeze([...prk, ...plms]);
    }
    this.stepRatio = Math.floor(numTrainTimesteps / numInferenceSteps);
    this.counter = 0;
    this.historyCount = 0;
    this.hasCurrentSample = false;
  }

  /** PNDM does not scale its input: returns `sample` itself. */
  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    if (this.stepRatio === 0) throw new SchedulerStateError('PNDM: call setTimesteps(numInferenceSteps) before step().');
    requireLength('modelOutput', modelOutput, sample.length);
    this.allocate(sample.length);
    const prk = this.counter < this.prkSchedule.length;
    const prevSample = prk ? this.stepPrk(modelOutput, timestep, sample) : this.stepPlms(modelOutput, timestep, sample);
    this.counter++;
    return { prevSample };
  }

  addNoise(originalSamples: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return this.alphas.addNoise(originalSamples, noise, timestep);
  }

  private allocate(length: number): void {
    if (this.history.length === PLMS_HISTORY && this.history[0]!.length === length) return;
    if (this.counter > 0) {
      const why = `changed length mid-schedule (now ${length}); call setTimesteps() to start a new run.`;
      throw new SchedulerArgumentError('sample', why);
    }
    this.history = Array.from({ length: PLMS_HISTORY }, () => new Float32Array(length));
    this.currentSample = scratch(this.currentSample, length, (n) => new Float32Array(n));
    this.rkSum = scratch(this.rkSum, length, (n) => new Float64Array(n));
    this.combined = scratch(this.combined, length, (n) => new Float64Array(n));
  }

  /** Appends a model output to the history, dropping the oldest beyond PLMS_HISTORY, without allocating. */
  private remember(modelOutput: Float32Array): void {
    if (this.historyCount === PLMS_HISTORY) {
      const oldest = this.history.shift()!;
      this.history.push(oldest);
      this.historyCount--;
    }
    this.history[this.historyCount]!.set(modelOutput);
    this.historyCount++;
  }

  /** The i-th most recent remembered output (1 = newest). */
  private recent(i: number): Float32Array {
    return this.history[this.historyCount - i]!;
  }

  private keepSample(sample: Float32Array): void {
    this.currentSample!.set(sample);
    this.hasCurrentSample = true;
  }

  private stepPlms(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    const combined = this.combined!;
    let from = timestep;
    let to = timestep - this.stepRatio;
    let base = sample;
    if (this.counter === 1) {
      // The repeated second timestep redoes the first step from the same start with averaged outputs.
      from = timestep + this.stepRatio;
      to = timestep;
    } else {
      this.remember(modelOutput);
    }
    const count = this.historyCount;
    if (count === 1 && this.counter === 0) {
      for (let i = 0; i < combined.length; i++) combined[i] = modelOutput[i]!;
      this.keepSample(sample);
    } else if (count === 1 && this.counter === 1) {
      const first = this.recent(1);
      for (let i = 0; i < combined.length; i++) combined[i] = (modelOutput[i]! + first[i]!) / 2;
      base = this.currentSample!;
      this.hasCurrentSample = false;
    } else if (count === 2) {
      const e1 = this.recent(1);
      const e2 = this.recent(2);
      for (let i = 0; i < combined.length; i++) combined[i] = (3 * e1[i]! - e2[i]!) / 2;
    } else if (count === 3) {
      const e1 = this.recent(1);
      const e2 = this.recent(2);
      const e3 = this.recent(3);
      for (let i = 0; i < combined.length; i++) combined[i] = (23 * e1[i]! - 16 * e2[i]! + 5 * e3[i]!) / 12;
    } else {
      const e1 = this.recent(1);
      const e2 = this.recent(2);
      const e3 = this.recent(3);
      const e4 = this.recent(4);
      for (let i = 0; i < combined.length; i++) combined[i] = (55 * e1[i]! - 59 * e2[i]! + 37 * e3[i]! - 9 * e4[i]!) / 24;
    }
    return this.transfer(base, from, to, combined);
  }

  private stepPrk(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    const combined = this.combined!;
    const rkSum = this.rkSum!;
    const phase = this.counter % 4;
    const halfStep = Math.floor(this.stepRatio / 2);
    // Odd evaluations end at the midpoint they were made at; even ones go half a step further.
    const to = timestep - (this.counter % 2 === 1 ? 0 : halfStep);
    const from = this.prkSchedule[this.counter - phase]!;
    if (phase === 0) {
      for (let i = 0; i < rkSum.length; i++) rkSum[i] = modelOutput[i]! / 6;
      this.remember(modelOutput);
      this.keepSample(sample);
    } else if (phase === 1 || phase === 2) {
      for (let i = 0; i < rkSum.length; i++) rkSum[i] += modelOutput[i]! / 3;
    }
    if (phase === 3) {
      for (let i = 0; i < combined.length; i++) combined[i] = rkSum[i]! + modelOutput[i]! / 6;
    } else {
      for (let i = 0; i < combined.length; i++) combined[i] = modelOutput[i]!;
    }
    return this.transfer(this.hasCurrentSample ? this.currentSample! : sample, from, to, combined);
  }

  /**
   * PNDM's transfer φ(x_t, ε, t → t') (eq. 11 of the paper), with a v-prediction first turned into
   * ε = √ᾱ_t·v + √(1−ᾱ_t)·x_t:
   *   x_{t'} = √(ᾱ_{t'}/ᾱ_t)·x_t − (ᾱ_{t'} − ᾱ_t)·ε / (ᾱ_t·√(1−ᾱ_{t'}) + √(ᾱ_t(1−ᾱ_t)ᾱ_{t'}))
   */
  private transfer(sample: Float32Array, from: number, to: number, modelOutput: Float64Array): Float32Array {
    const alphaT = this.alphas.at(from);
    const alphaPrev = this.alphas.atPrevious(to);
    const betaT = 1 - alphaT;
    const sampleScale = Math.sqrt(alphaPrev / alphaT);
    const outputScale = (alphaPrev - alphaT) / (alphaT * Math.sqrt(1 - alphaPrev) + Math.sqrt(alphaT * betaT * alphaPrev));
    const velocity = this.settings.predictionType === 'v_prediction';
    const sqrtAlphaT = Math.sqrt(alphaT);
    const sqrtBetaT = Math.sqrt(betaT);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const x = sample[i]!;
      const eps = velocity ? sqrtAlphaT * modelOutput[i]! + sqrtBetaT * x : modelOutput[i]!;
      out[i] = sampleScale * x - outputScale * eps;
    }
    return out;
  }
}
