import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy, Tensor } from '@perfusion/tensor-core';
import { describe, expect, it } from 'vitest';
import {
  castFloatTensor,
  OnnxSession,
  openSessionCount,
  SessionCreateError,
  SessionFeedError,
  SessionReleasedError,
  SessionRunError,
  TensorCastError,
  tensorValueInfo,
  UnknownSessionInputError,
  writeModelSync,
  type GraphProto,
} from '../src/index.js';
import { maxAbsDiff } from './helpers/ort.js';
import { diffusersUnetDir, diffusersUnetModel, tempDir } from './helpers/paths.js';
import { graph, mlpModel, mlpReference, model, node } from './helpers/tiny-models.js';

/** The diffusers fixture's recorded PyTorch inputs as tensor-core tensors (timestep 999 twice, per its README). */
function diffusersFeeds(): { feeds: Record<string, Tensor>; expected: Float32Array } {
  const npy = (name: string) => readNpy(fs.readFileSync(path.join(diffusersUnetDir, name)), name);
  const out = npy('io_out.npy');
  return {
    feeds: {
      sample: npy('io_sample.npy'),
      timestep: Tensor.from('int64', [999, 999], [2]),
      encoder_hidden_states: npy('io_ehs.npy'),
    },
    expected: out.data as Float32Array,
  };
}

/** Writes a model around `g` into a fresh temp folder and returns its path. */
function writeTemp(g: GraphProto, name = 'model.onnx'): string {
  const file = path.join(tempDir('session'), name);
  writeModelSync(model(g), file);
  return file;
}

/** y = x · W for x [1, 'n'] (a symbolic width), W [4, 3]: feeds of another width pass validation and fail in onnxruntime. */
function symbolicMatMulModel(): string {
  const { model: mlp } = mlpModel(4, 3, 2);
  const g = mlp.graph!;
  g.input = [tensorValueInfo('x', 'float32', [1, 'n'])];
  return writeTemp(g);
}

describe('OnnxSession on a real torch.onnx export (diffusers UNet)', () => {
  it('reads input dtypes and shapes from the session and reproduces PyTorch’s output', async () => {
    const session = await OnnxSession.create(diffusersUnetModel);
    try {
      expect(session.inputs).toEqual([
        { name: 'sample', dtype: 'float32', shape: ['batch', 4, 'height', 'width'], rankKnown: true },
        { name: 'timestep', dtype: 'int64', shape: ['batch'], rankKnown: true },
        { name: 'encoder_hidden_states', dtype: 'float32', shape: ['batch', 'sequence', 32], rankKnown: true },
      ]);
      expect(session.outputNames).toEqual(['out_sample']);
      expect(session.input('timestep').dtype).toBe('int64');
      expect(session.executionProviders).toEqual(['cpu']);

      const { feeds, expected } = diffusersFeeds();
      const { out_sample } = await session.run(feeds);
      expect(out_sample!.dtype).toBe('float32');
      expect(out_sample!.shape).toEqual([2, 4, 8, 8]);
      // io_out.npy is PyTorch's own output (see the fixture's README): a golden obtained outside this project.
      expect(maxAbsDiff(out_sample!.data as Float32Array, expected)).toBeLessThan(2e-5);
      expect(session.stats.calls).toBe(1);
      expect(session.stats.totalMs).toBeGreaterThan(0);
    } finally {
      await session.release();
    }
  });

  it('rejects feeds that do not fit before running, listing every problem and what the session expects', async () => {
    const session = await OnnxSession.create(diffusersUnetModel);
    try {
      const { feeds } = diffusersFeeds();
      const bad = {
        sample: new Tensor('float32', new Float32Array(2 * 3 * 8 * 8), [2, 3, 8, 8]), // 3 channels, model fixes 4
        timestep: Tensor.from('int32', [999, 999], [2]), // int32, model takes int64
        encoder_hidden_states: feeds.encoder_hidden_states!.reshape([-1, 32]), // rank 2, model takes rank 3
        extra: Tensor.zeros('float32', [1]),
      };
      const error = await session.run(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionFeedError);
      const message = (error as Error).message;
      expect(message).toContain(diffusersUnetModel);
      expect(message).toContain("'extra' is not an input of this model");
      expect(message).toContain("input 'timestep' is int32 but the model takes int64");
      expect(message).toContain("input 'encoder_hidden_states' has rank 2 [154, 32] but the model takes rank 3");
      expect(message).toContain("input 'sample' has size 3 on axis 1 [2, 3, 8, 8] but the model fixes it to 4");
      expect(message).toContain('The session expects inputs: sample: float32[batch, 4, height, width]; timestep: int64[batch]; encoder_hidden_states: float32[batch, sequence, 32]');
      expect((error as SessionFeedError).problems).toHaveLength(4);

      const missing = await session.run({ sample: feeds.sample! }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(SessionFeedError);
      expect((missing as Error).message).toContain("input 'timestep' (int64) is missing");
      expect((missing as Error).message).toContain("input 'encoder_hidden_states' (float32) is missing");

      const unknownOutput = await session.run(feeds, ['noise_pred']).catch((e: unknown) => e);
      expect((unknownOutput as Error).message).toContain("'noise_pred' is not an output of this model");
      // Nothing reached onnxruntime.
      expect(session.stats.calls).toBe(0);
    } finally {
      await session.release();
    }
  });

  it('input() names the inputs when asked for one that does not exist', async () => {
    const session = await OnnxSession.create(diffusersUnetModel);
    try {
      expect(() => session.input('latents')).toThrow(UnknownSessionInputError);
      expect(() => session.input('latents')).toThrow(/has no input 'latents'[\s\S]*sample: float32\[batch, 4, height, width\]/);
      expect(session.hasInput('sample')).toBe(true);
    } finally {
      await session.release();
    }
  });
});

describe('OnnxSession runs and errors', () => {
  it('computes what the model says, returning only the outputs asked for', async () => {
    const { model: mlp, w1, b, w2 } = mlpModel(4, 3, 2);
    // Expose the hidden activation as a second output.
    mlp.graph!.output.push(tensorValueInfo('act', 'float32', [1, 3]));
    const file = writeTemp(mlp.graph!);
    const session = await OnnxSession.create(file);
    try {
      const x = Float32Array.from([0.5, -1, 2, 0.25]);
      const ref = mlpReference(x, { w1, b, w2 });
      const all = await session.run({ x: new Tensor('float32', x, [1, 4]) });
      expect(Object.keys(all).sort()).toEqual(['act', 'y']);
      expect(maxAbsDiff(all.y!.data as Float32Array, ref.y)).toBeLessThan(1e-5);
      const only = await session.run({ x: new Tensor('float32', x, [1, 4]) }, ['act']);
      expect(Object.keys(only)).toEqual(['act']);
      expect(maxAbsDiff(only.act!.data as Float32Array, ref.act)).toBeLessThan(1e-5);
      expect(session.stats.calls).toBe(2);
      session.resetStats();
      expect(session.stats).toEqual({ calls: 0, totalMs: 0 });
    } finally {
      await session.release();
    }
  });

  it('wraps onnxruntime failures with every feed’s name, dtype and dims and the model path', async () => {
    const file = symbolicMatMulModel();
    const session = await OnnxSession.create(file);
    try {
      // 'n' is symbolic, so a width of 5 passes the checks, and MatMul with W [4, 3] fails inside onnxruntime.
      const error = await session.run({ x: new Tensor('float32', new Float32Array(5), [1, 5]) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionRunError);
      const message = (error as Error).message;
      expect(message).toContain(`onnxruntime failed to run ${file}`);
      expect(message).toContain('x: float32[1, 5]');
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(session.stats.calls).toBe(1);
    } finally {
      await session.release();
    }
  });

  it('tells scalars from values without a declared shape by reading the graph', async () => {
    const g = graph([node('Add', ['x', 's'], ['y']), node('Identity', ['z'], ['w'])], {}, {});
    g.input = [tensorValueInfo('x', 'float32', ['b', null]), tensorValueInfo('s', 'float32', []), tensorValueInfo('z', 'int32')];
    g.output = [tensorValueInfo('y', 'float32'), tensorValueInfo('w', 'int32')];
    const session = await OnnxSession.create(writeTemp(g));
    try {
      expect(session.inputs).toEqual([
        { name: 'x', dtype: 'float32', shape: ['b', null], rankKnown: true },
        { name: 's', dtype: 'float32', shape: [], rankKnown: true },
        { name: 'z', dtype: 'int32', shape: [], rankKnown: false },
      ]);
      const x = Tensor.from('float32', [1, 2, 3, 4], [2, 2]);
      const z = Tensor.from('int32', [1, 2, 3, 4, 5, 6], [1, 2, 3]); // any rank is fine for z
      const { y, w } = await session.run({ x, s: Tensor.from('float32', [10], []), z });
      expect([...(y!.data as Float32Array)]).toEqual([11, 12, 13, 14]);
      expect(w!.shape).toEqual([1, 2, 3]);
      const error = await session.run({ x, s: Tensor.from('float32', [10], [1]), z }).catch((e: unknown) => e);
      expect((error as Error).message).toContain("input 's' has rank 1 [1] but the model takes rank 0");
    } finally {
      await session.release();
    }
  });

  it('takes float16 models: dtype errors say float16, castFloatTensor converts at the boundary', async () => {
    const g = graph([node('Mul', ['x', 'x'], ['y'])], {}, {});
    g.input = [tensorValueInfo('x', 'float16', ['n'])];
    g.output = [tensorValueInfo('y', 'float16', ['n'])];
    const session = await OnnxSession.create(writeTemp(g));
    try {
      const x = Float32Array.from([0.5, -3, 1 / 3]);
      const error = await session.run({ x: new Tensor('float32', x, [3]) }).catch((e: unknown) => e);
      expect((error as Error).message).toContain("input 'x' is float32 but the model takes float16");
      const { y } = await session.run({ x: castFloatTensor(new Tensor('float32', x, [3]), 'float16') });
      expect(y!.dtype).toBe('float16');
      const y32 = castFloatTensor(y!, 'float32');
      // 0.25 and 9 are exact in float16; (1/3)² rounds: 1/3 → 0.33325195 (fp16), squared in fp16 → 0.111083984.
      expect([...y32.data]).toEqual([0.25, 9, 0.111083984375]);
    } finally {
      await session.release();
    }
  });

  it('reports missing and unloadable model files as SessionCreateError', async () => {
    const dir = tempDir('session');
    await expect(OnnxSession.create(path.join(dir, 'missing.onnx'))).rejects.toThrow(/missing\.onnx: the file does not exist/);
    const garbage = path.join(dir, 'garbage.onnx');
    fs.writeFileSync(garbage, 'not a model');
    const error = await OnnxSession.create(garbage).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionCreateError);
    expect((error as Error).message).toContain(`Cannot create an onnxruntime session for ${garbage}: onnxruntime says:`);
  });

  it('refuses to run after release', async () => {
    const session = await OnnxSession.create(symbolicMatMulModel());
    await session.release();
    await session.release(); // idempotent
    expect(session.released).toBe(true);
    await expect(session.run({ x: Tensor.zeros('float32', [1, 4]) })).rejects.toThrow(SessionReleasedError);
  });
});

describe('OnnxSession sharing and options', () => {
  it('shares one native session per file and options, released with its last holder', async () => {
    const file = symbolicMatMulModel();
    const before = openSessionCount();
    const [a, b] = await Promise.all([OnnxSession.create(file), OnnxSession.create(file)]);
    expect(openSessionCount()).toBe(before + 1);
    const c = await OnnxSession.create(file, { graphOptimizationLevel: 'disabled' });
    expect(openSessionCount()).toBe(before + 2);
    const x = new Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]);
    const [ya, yc] = [(await a.run({ x })).y!, (await c.run({ x })).y!];
    expect([...ya.data]).toEqual([...yc.data]);
    // Stats belong to each holder.
    expect([a.stats.calls, b.stats.calls, c.stats.calls]).toEqual([1, 0, 1]);
    await a.release();
    expect(openSessionCount()).toBe(before + 2);
    await b.release();
    await c.release();
    expect(openSessionCount()).toBe(before);
  });

  it('createOwned hands the session to its owner, and releases it when the owner refuses it', async () => {
    const file = symbolicMatMulModel();
    const before = openSessionCount();
    const owned = await OnnxSession.createOwned(file, {}, async (session) => ({ session, inputs: session.inputs.map((i) => i.name) }));
    expect(owned.inputs).toEqual(['x']);
    expect(openSessionCount()).toBe(before + 1);
    await owned.session.release();
    let refused: OnnxSession | undefined;
    const failing = OnnxSession.createOwned(file, {}, (session) => {
      refused = session;
      throw new Error('not the model this class expects');
    });
    await expect(failing).rejects.toThrow('not the model this class expects');
    expect(refused!.released).toBe(true);
    expect(openSessionCount()).toBe(before);
  });

  it('maps thread, arena, pattern and optimisation options to onnxruntime and gives the same results', async () => {
    const { feeds, expected } = diffusersFeeds();
    const session = await OnnxSession.create(diffusersUnetModel, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'basic',
      enableCpuMemArena: false,
      enableMemPattern: false,
      executionMode: 'sequential',
      configEntries: { 'session.use_device_allocator_for_initializers': '1' },
    });
    try {
      const { out_sample } = await session.run(feeds);
      // Another optimisation level fuses differently, so float32 rounding differs a little more
      // than the 2e-5 of the default level (measured 5.6e-5; outputs are of order 1).
      expect(maxAbsDiff(out_sample!.data as Float32Array, expected)).toBeLessThan(2e-4);
    } finally {
      await session.release();
    }
  });

  it('rejects invalid option values with the option’s name', async () => {
    await expect(OnnxSession.create(diffusersUnetModel, { intraOpNumThreads: -1 })).rejects.toThrow(/SessionOptions\.intraOpNumThreads/);
    await expect(OnnxSession.create(diffusersUnetModel, { graphOptimizationLevel: 'max' as never })).rejects.toThrow(/graphOptimizationLevel must be one of disabled, basic, extended, all/);
  });

  it('falls back to cpu with a warning for providers this build does not have', async () => {
    const warnings: string[] = [];
    const session = await OnnxSession.create(symbolicMatMulModel(), { executionProviders: ['no-such-ep', 'cpu'], onWarning: (m) => warnings.push(m) });
    try {
      expect(session.executionProviders).toEqual(['cpu']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/Execution provider 'no-such-ep' is not available in this onnxruntime-node build \(available: .*cpu.*\); using cpu instead\./);
    } finally {
      await session.release();
    }
  });

  it('falls back to cpu with a warning when a listed provider cannot start (CUDA without its libraries)', async () => {
    const warnings: string[] = [];
    const session = await OnnxSession.create(symbolicMatMulModel(), { executionProviders: ['cuda'], onWarning: (m) => warnings.push(m) });
    try {
      if (session.executionProviders.includes('cuda')) {
        // A machine with a working CUDA provider: nothing to fall back from.
        expect(warnings).toEqual([]);
      } else {
        expect(session.executionProviders).toEqual(['cpu']);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/cuda .*; running on cpu instead\./);
      }
      const { y } = await session.run({ x: Tensor.zeros('float32', [1, 4]) });
      expect(y!.shape).toEqual([1, 2]);
    } finally {
      await session.release();
    }
  });
});

describe('castFloatTensor', () => {
  it('returns the tensor itself when no cast is needed and converts float32 ⇄ float16 otherwise', () => {
    const f32 = new Tensor('float32', Float32Array.from([1, -2.5, 65520, 1e-8]), [2, 2]);
    expect(castFloatTensor(f32, 'float32')).toBe(f32);
    const f16 = castFloatTensor(f32, 'float16');
    expect(f16.dtype).toBe('float16');
    expect(f16.shape).toEqual([2, 2]);
    // 65520 rounds to infinity in float16, 1e-8 underflows to 0 (below half the smallest subnormal, 2^-25 ≈ 2.98e-8).
    expect([...f16.data]).toEqual([0x3c00, 0xc100, 0x7c00, 0x0000]);
    expect(castFloatTensor(f16, 'float16')).toBe(f16);
    expect([...castFloatTensor(f16, 'float32').data]).toEqual([1, -2.5, Infinity, 0]);
  });

  it('refuses non-float tensors', () => {
    expect(() => castFloatTensor(Tensor.zeros('int64', [2]), 'float32')).toThrow(TensorCastError);
    expect(() => castFloatTensor(Tensor.zeros('int64', [2]), 'float32')).toThrow(/int64\[2\] tensor is not floating point/);
  });
});
