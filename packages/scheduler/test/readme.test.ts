import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '@perfusion/tensor-core';
import { SCHEDULER_NAMES, SD15_SCHEDULER_CONFIG, createScheduler, parseSchedulerConfig } from '@perfusion/scheduler';

// The README's example is the code between the example markers below, preceded by the two import
// lines above; the first test checks the README shows exactly that, the second runs it.

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0) throw new Error(`markers ${start} / ${end} not found`);
  return text.slice(from + start.length, to);
}

function dedent(block: string): string {
  const lines = block.replace(/^\n+|\s+$/g, '').split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => line.match(/^ */)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

describe('README example', () => {
  it('is the code this test runs', () => {
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const imports = source.split('\n').filter((line) => /^import .* from '@perfusion\//.test(line));
    const region = dedent(between(source, '// example' + ':start', '// example' + ':end'));
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const shown = between(between(readme, '<!-- example:start -->', '<!-- example:end -->'), '```ts', '```').trim();
    expect(shown).toBe(`${imports.join('\n')}\n\n${region}`);
  });

  it('runs and does what its comments say', () => {
    // example:start
    // SD-1.5's scheduler_config.json; for a model folder: await loadSchedulerConfig('…/scheduler/scheduler_config.json').
    const config = parseSchedulerConfig(SD15_SCHEDULER_CONFIG);

    // A stand-in for the UNet: predicts the noise in (scaled) latents at timestep t.
    const unet = (latents: Float32Array, t: number) => latents.map((v) => 0.1 * v + 1e-5 * t);

    const results = new Map<string, Float32Array>();
    for (const name of SCHEDULER_NAMES) {
      // 'ddim', 'pndm', 'euler', 'euler-a', 'dpm++2m', 'dpm++2m-karras', 'lms'
      const scheduler = createScheduler(name, config);
      scheduler.setTimesteps(20);
      const rng = new Rng(42); // the initial latents, then the ancestral samplers' fresh noise
      let latents: Float32Array = rng.fillNormal(new Float32Array(4 * 8 * 8)).map((v) => v * scheduler.initNoiseSigma);
      for (const t of scheduler.timesteps) {
        const noisePrediction = unet(scheduler.scaleModelInput(latents, t), t);
        latents = scheduler.step(noisePrediction, t, latents, rng).prevSample;
      }
      results.set(name, latents);
    }
    // example:end

    expect([...results.keys()]).toEqual([...SCHEDULER_NAMES]);
    for (const [name, latents] of results) {
      expect(latents, name).toHaveLength(256);
      expect(latents.every(Number.isFinite), name).toBe(true);
    }
    // The same seed and scheduler give the same latents, the ancestral one included.
    for (const name of ['pndm', 'euler-a'] as const) {
      const again = createScheduler(name, config);
      again.setTimesteps(20);
      const rng = new Rng(42);
      let latents: Float32Array = rng.fillNormal(new Float32Array(256)).map((v) => v * again.initNoiseSigma);
      for (const t of again.timesteps) latents = again.step(unet(again.scaleModelInput(latents, t), t), t, latents, rng).prevSample;
      expect(Array.from(latents)).toEqual(Array.from(results.get(name)!));
    }
  });
});
