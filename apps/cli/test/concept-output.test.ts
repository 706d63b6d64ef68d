import { describe, expect, it } from 'vitest';
import { renderCovariance } from '../src/covariance-command.js';
import { defaultConceptPath } from '../src/from-words-command.js';
import { conceptLines, generationRequest, perfusionOption } from '../src/generate-command.js';
import { formatTraining, renderInspect, type InspectReport } from '../src/inspect-command.js';

describe('generate with concepts: request and messages', () => {
  it('passes each --concept as a concept request, with only the overrides given', () => {
    const request = generationRequest({
      prompt: '<a> and <b>',
      batch: 1,
      concepts: [{ file: 'a.safetensors' }, { file: 'b.safetensors', beta: 0.3, tau: 0.2 }, { file: 'c.safetensors', tau: 0.5 }],
      multiConcept: 'exact',
      globalLocking: true,
    });
    expect(request).toMatchObject({
      concepts: [{ concept: 'a.safetensors' }, { concept: 'b.safetensors', beta: 0.3, tau: 0.2 }, { concept: 'c.safetensors', tau: 0.5 }],
      multiConcept: 'exact',
      globalLocking: true,
    });
    expect(request.concepts![0]).toEqual({ concept: 'a.safetensors' });
    expect(generationRequest({ prompt: 'x', batch: 1 })).not.toHaveProperty('concepts');
  });

  it('loads Perfusion only with concepts, with the global-locking UNet when asked', () => {
    expect(perfusionOption({ prompt: 'x', batch: 1 })).toBe(false);
    expect(perfusionOption({ prompt: 'x', batch: 1, concepts: [{ file: 'a' }] })).toBe(true);
    expect(perfusionOption({ prompt: 'x', batch: 1, concepts: [{ file: 'a' }], globalLocking: true })).toEqual({ globalLocking: true });
  });

  it('names each concept with its gate, marking the file\'s defaults, then how they combine', () => {
    const concepts = [
      { token: '<a>', supercategory: 'cat', file: '/c/a.safetensors', beta: 0.7, tau: 0.15 },
      { token: '<b>', supercategory: 'dog', file: undefined, beta: 0.3, tau: 0.15 },
    ];
    expect(conceptLines({ concepts, multiConcept: 'sum', globalLocking: false }, [{ file: 'a' }, { file: 'b', beta: 0.3 }])).toEqual([
      'concept <a> (supercategory cat) from /c/a.safetensors: beta 0.7 (file), tau 0.15 (file)',
      'concept <b> (supercategory dog): beta 0.3, tau 0.15 (file)',
      'concepts: combined by sum',
    ]);
    expect(conceptLines({ concepts: concepts.slice(0, 1), multiConcept: 'sum', globalLocking: true }, [{ file: 'a', beta: 0.7, tau: 0.15 }])).toEqual([
      'concept <a> (supercategory cat) from /c/a.safetensors: beta 0.7, tau 0.15',
      'concepts: global key locking',
    ]);
    expect(conceptLines({ concepts: [], multiConcept: 'sum', globalLocking: false })).toEqual([]);
  });
});

describe('concept from-words: default file name', () => {
  it.each([
    ['<my-cat>', 'my-cat.safetensors'],
    ['sks', 'sks.safetensors'],
    ['<a b/c>', 'a-b-c.safetensors'],
    ['<>', 'concept.safetensors'],
    ['../../x', 'x.safetensors'],
  ])('%s → %s', (token, file) => {
    expect(defaultConceptPath(token)).toBe(file);
  });
});

describe('inspect and covariance output', () => {
  const report: InspectReport = {
    file: 'cat.safetensors',
    formatVersion: 1,
    token: '<my-cat>',
    supercategory: 'cat',
    baseModel: { fingerprint: 'unet-v1-L2-d4-W6-abc', name: 'tiny' },
    defaults: { beta: 0.7, tau: 0.15 },
    dtype: 'float16',
    training: { steps: 400, seed: 7 },
    encodingDim: 4,
    embeddingDim: 4,
    layers: [
      { layer: '/down/attn2', width: 2 },
      { layer: '/mid_block/attn2', width: 4 },
    ],
    floats: 18,
    sizes: { file: 1234, header: 1198, data: 36 },
    metadata: {},
    model: { dir: '/models/tiny', isDefault: false, fingerprint: 'unet-v1-L2-d4-W6-def' },
    compatibility: [
      { kind: 'base-model', field: 'base_model', message: 'cat.safetensors: base_model: made for another model', conceptFingerprint: 'a', modelFingerprint: 'b' },
      { kind: 'missing-layers', field: 'layers', message: 'cat.safetensors: layers: missing /up/attn2', layers: ['/up/attn2'] },
    ],
    compatible: false,
  };

  it('renders the report as aligned lines, every problem on its own line', () => {
    expect(renderInspect(report)).toBe(
      [
        'cat.safetensors',
        '  token          <my-cat>',
        '  supercategory  cat',
        '  format         perfusion-concept version 1, float16 (2 bytes per value)',
        '  base model     unet-v1-L2-d4-W6-abc (tiny)',
        '  defaults       beta 0.7, tau 0.15',
        '  training       steps 400, seed 7',
        '  sizes          file 1,234 bytes: header 1,198 bytes, tensor data 36 bytes',
        '  values         18: value targets 6, i* and i_super 4 each, word embedding 4',
        '  layers         2 cross-attention layers (name, width):',
        `    /down/attn2${' '.repeat(11)}2`,
        `    /mid_block/attn2${' '.repeat(6)}4`,
        'NOT compatible with /models/tiny (base model unet-v1-L2-d4-W6-def): 2 problems',
        '  base-model: cat.safetensors: base_model: made for another model',
        '  missing-layers: cat.safetensors: layers: missing /up/attn2',
        '',
      ].join('\n'),
    );
    expect(renderInspect({ ...report, compatibility: [], compatible: true, model: { ...report.model, isDefault: true } })).toMatch(
      /\ncompatible with the default model \/models\/tiny: same base model, layers and widths\n$/,
    );
  });

  it('formats training summaries', () => {
    expect(formatTraining(undefined)).toBe('none recorded');
    expect(formatTraining({})).toBe('none recorded');
    expect(formatTraining({ method: 'from-words', loss: [0.5, 0.25], ok: true })).toBe('method "from-words", loss [0.5,0.25], ok true');
  });

  it('says where the covariance is, whether it was computed now, from how many captions', () => {
    const info = { fingerprint: 'unet-v1-x', dim: 768, count: 61234, captions: 5000, corpus: 'builtin:5000:seed0', file: '/m/.perfusion-cache/covariance-x.safetensors', ms: 83_456 };
    expect(renderCovariance({ ...info, source: 'computed' })).toBe(
      [
        'covariance  computed now from 5,000 captions in 83.5 s',
        'stored in   /m/.perfusion-cache/covariance-x.safetensors',
        'captions    5,000 (builtin:5000:seed0)',
        'encodings   61,234 token rows of width 768',
        'base model  unet-v1-x',
        '',
      ].join('\n'),
    );
    expect(renderCovariance({ ...info, source: 'file', ms: 12 })).toMatch(/^covariance {2}cached \(computed earlier\), read in 0\.01 s; --recompute computes it again\n/);
    expect(renderCovariance({ ...info, source: 'computed', file: undefined })).toMatch(/\nstored in {3}nowhere: no cache folder was writable/);
  });
});
