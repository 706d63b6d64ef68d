import { describe, expect, it } from 'vitest';
import type { Scene, SceneScore } from '@perfusion/toyworld';
import { accuracyOf, EVALUATION_DEFAULTS, formatShapeTallies, shapeMisses, type EvaluatedSample, plotDomain, reportTable, shapeTallies, tradeoffPlotPng, type SweepPoint } from '../src/index.js';

const object = (ok: boolean) => ({ found: true, shape: ok, colour: ok, size: ok, position: ok });

describe('accuracyOf', () => {
  it('counts objects’ attributes only in pictures with the right number of objects', () => {
    const scores: SceneScore[] = [
      { background: true, count: true, objects: [object(true)], exact: true },
      { background: true, count: false, objects: [object(true)], exact: false }, // a stray blob: its object does not count
      { background: false, count: true, objects: [object(false)], exact: false },
    ];
    expect(accuracyOf(scores)).toEqual({ samples: 3, background: 2 / 3, count: 2 / 3, colour: 1 / 3, shape: 1 / 3, size: 1 / 3, position: 1 / 3, exact: 1 / 3 });
  });
});

describe('shapeMisses', () => {
  it('lists the one-object captions whose shape was read wrong, with what was read', () => {
    const scene = (shape: 'star' | 'diamond'): Scene => ({ background: 'purple', objects: [{ shape, colour: 'gray', size: 'small', position: 'center' }] });
    const reading = (shape: 'circle' | 'diamond') => ({ shape, colour: 'gray' as const, size: 'small' as const, position: 'center' as const, area: 60, centre: [32, 32] as const, shapeMismatch: 0.0721 });
    const sample = (seed: number, s: Scene, ok: boolean, read: ReturnType<typeof reading>[]): EvaluatedSample => ({
      scene: s,
      prompt: `a small gray ${s.objects[0]!.shape} in the center, purple background`,
      seed,
      image: { width: 1, height: 1, data: new Uint8Array(3) },
      score: { background: true, count: read.length === 1, objects: [{ ...object(true), shape: ok }], exact: ok },
      read,
    });
    const twoObjects: Scene = { background: 'blue', objects: [scene('star').objects[0]!, { shape: 'ring', colour: 'red', size: 'small', position: 'left' }] };
    const samples = [
      sample(0, scene('star'), false, [reading('circle')]),
      sample(1, scene('diamond'), true, [reading('diamond')]),
      sample(2, scene('star'), false, []),
      sample(3, twoObjects, false, [reading('circle')]), // two-object captions are not listed
      sample(4, scene('diamond'), true, [reading('diamond'), reading('circle')]), // a stray blob: accuracyOf counts it a miss
    ];
    expect(shapeMisses({ samples })).toEqual([
      '0 · a small gray star in the center, purple background → small gray circle (0.072)',
      '2 · a small gray star in the center, purple background → nothing',
      '4 · a small gray diamond in the center, purple background → small gray diamond (0.072), small gray circle (0.072)',
    ]);
  });
});

describe('reportTable', () => {
  const accuracy = (samples: number) => accuracyOf(Array.from({ length: samples }, (): SceneScore => ({ background: true, count: true, objects: [object(true)], exact: true })));
  const report = (single: number, double: number) => ({ settings: EVALUATION_DEFAULTS, single: accuracy(single), double: accuracy(double), shapes: { single: [], double: [] }, samples: [] });

  it('has a row per caption kind, and none for a kind that was not evaluated', () => {
    expect(reportTable(report(4, 2)).split('\n')).toEqual([
      '| captions | samples | background | colour | shape | position | size | count | all correct |',
      '|---|---|---|---|---|---|---|---|---|',
      '| one object | 4 | 100.0 % | 100.0 % | 100.0 % | 100.0 % | 100.0 % | 100.0 % | 100.0 % |',
      '| two objects | 2 | 100.0 % | 100.0 % | 100.0 % | 100.0 % | 100.0 % | 100.0 % | 100.0 % |',
    ]);
    expect(reportTable(report(4, 0))).not.toContain('two objects');
  });
});

describe('shapeTallies', () => {
  const scene = (...objects: [Scene['objects'][number]['size'], Scene['objects'][number]['shape']][]): Scene => ({
    background: 'blue',
    objects: objects.map(([size, shape], i) => ({ size, shape, colour: 'red', position: i === 0 ? 'left' : 'right' })),
  });

  it('counts right shapes per size and shape, in the world’s order, leaving out kinds no caption asked for', () => {
    const scenes = [scene(['large', 'star']), scene(['large', 'star']), scene(['small', 'circle'], ['large', 'star'])];
    const scores: SceneScore[] = [
      { background: true, count: true, objects: [object(true)], exact: true },
      { background: true, count: true, objects: [object(false)], exact: false },
      { background: true, count: true, objects: [object(true), object(false)], exact: false },
    ];
    const tallies = shapeTallies(scenes, scores);
    expect(tallies).toEqual([
      { kind: 'small circle', right: 1, total: 1 },
      { kind: 'large star', right: 1, total: 3 },
    ]);
    expect(formatShapeTallies(tallies)).toBe('small circle 1/1\nlarge star 1/3');
  });

  it('scores a shape wrong in a picture with the wrong number of objects, as accuracyOf does', () => {
    const tallies = shapeTallies([scene(['large', 'heart'])], [{ background: true, count: false, objects: [object(true)], exact: false }]);
    expect(tallies).toEqual([{ kind: 'large heart', right: 0, total: 1 }]);
  });

  it('refuses scores that do not pair with the scenes', () => {
    expect(() => shapeTallies([scene(['large', 'star'])], [])).toThrow(/1 scenes but 0 scores/);
  });
});

describe('plotDomain', () => {
  it('zooms each axis to the tenths around the values, within [0, 1]', () => {
    expect(plotDomain([0.95, 0.988, 1])).toEqual([0.9, 1]);
    expect(plotDomain([0.013, 0.312])).toEqual([0, 0.4]);
    expect(plotDomain([0.5, 0.5])).toEqual([0.4, 0.6]);
    expect(plotDomain([Number.NaN])).toEqual([0, 1]);
  });
});

describe('tradeoffPlotPng', () => {
  it('draws the curves as a PNG (Vega-Lite, rasterised at 2×)', async () => {
    const point = (beta: number, fidelity: number, alignment: number): SweepPoint => ({ beta, tau: 0.15, fidelity, alignment, background: alignment, position: alignment });
    const png = await tradeoffPlotPng([{ label: 'keys locked', varies: 'beta', points: [point(0.5, 0.9, 0.4), point(0.7, 0.6, 0.8)] }], 'test');
    expect(Buffer.from(png.subarray(1, 4)).toString('latin1')).toBe('PNG');
    const view = new DataView(png.buffer, png.byteOffset);
    expect(view.getUint32(16)).toBeGreaterThan(1000); // width: 520 px of plot plus axes, legend and padding, doubled
    expect(view.getUint32(20)).toBeGreaterThan(760);
  });

  it('adds a lone reference point (no concept) without a knob label, and its legend entry makes the plot taller', async () => {
    const point = (beta: number, fidelity: number, alignment: number): SweepPoint => ({ beta, tau: 0.15, fidelity, alignment, background: alignment, position: alignment });
    const curve = { label: 'keys locked', varies: 'beta' as const, points: [point(0.5, 0.9, 0.4), point(0.7, 0.6, 0.8)] };
    const height = (png: Uint8Array): number => new DataView(png.buffer, png.byteOffset).getUint32(20);
    const alone = await tradeoffPlotPng([curve], 'test');
    const withWords = await tradeoffPlotPng([curve, { label: 'no concept', varies: 'none', points: [{ ...point(Number.NaN, 0.1, 0.95), tau: Number.NaN }] }], 'test');
    expect(height(withWords)).toBeGreaterThan(height(alone));
  });
});
