import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stableJson } from '@perfusion/fixtures';
import { TrainingNoiseSchedule } from '@perfusion/trainer';
import { describe, expect, it } from 'vitest';
import { toyNoiseSchedule, toySchedulerConfig } from '../src/index.js';

describe('the toy model\'s noise schedule', () => {
  it('is v-prediction under DDPM\'s linear betas, ending near zero signal', () => {
    const schedule = toyNoiseSchedule();
    expect(schedule.predictionType).toBe('v_prediction');
    expect(schedule.length).toBe(1000);
    // NumPy: np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))[-1] = 4.035829765375676e-05
    expect(schedule.alphasCumprod[999]).toBeCloseTo(4.0358e-5, 8);
  });

  it('is the one the exported scheduler_config.json gives the trainer and the pipeline', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toy-schedule-'));
    try {
      const file = path.join(dir, 'scheduler_config.json');
      fs.writeFileSync(file, stableJson(toySchedulerConfig()));
      const exported = await TrainingNoiseSchedule.load(file);
      expect(exported.predictionType).toBe(toyNoiseSchedule().predictionType);
      expect(Array.from(exported.alphasCumprod)).toEqual(Array.from(toyNoiseSchedule().alphasCumprod));
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ timestep_spacing: 'trailing', prediction_type: 'v_prediction' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
