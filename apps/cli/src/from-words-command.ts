import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConceptIoError, writeConcept } from '@perfusion/concept-format';
import { loadPipeline, type Pipeline } from '@perfusion/pipeline';
import type { FromWordsArgs } from './args.js';
import { CliError } from './errors.js';
import { EXIT_OK } from './exit-codes.js';
import { CLI_PIPELINE_SETTINGS } from './generate-command.js';
import type { CliIo } from './io.js';
import { resolveModel } from './model-dir.js';

/** The default file of a concept: its token without what a file name should not hold, `<my-cat>` → `my-cat.safetensors`. */
export function defaultConceptPath(token: string): string {
  const stem = token
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100);
  return `${stem === '' ? 'concept' : stem}.safetensors`;
}

/**
 * `perfusion concept from-words`: builds a concept from a phrase with `Pipeline.conceptFromWords`
 * (text encoder and projection weights; no UNet call) and writes it atomically with
 * concept-format's `writeConcept`. The path goes to stdout, a summary to stderr.
 */
export async function runFromWords(args: FromWordsArgs, io: CliIo): Promise<number> {
  const say = (line: string): void => io.stderr(`${line}\n`);
  const model = await resolveModel(args.model, 'concept from-words', say);
  const out = args.out ?? defaultConceptPath(args.token);
  let pipeline: Pipeline | undefined;
  try {
    pipeline = await loadPipeline(model.dir, { session: CLI_PIPELINE_SETTINGS.session, perfusion: true });
    const concept = await pipeline.conceptFromWords({
      token: args.token,
      supercategory: args.supercategory,
      words: args.words,
      ...(args.template !== undefined && { template: args.template }),
    });
    const dtype = args.dtype ?? 'float32';
    let written: { path: string; byteLength: number };
    try {
      fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      written = await writeConcept(out, concept, { dtype });
    } catch (error) {
      // Writing is the work failing (disk, permissions), not bad input: exit 1.
      if (error instanceof ConceptIoError || (error as NodeJS.ErrnoException).code !== undefined) throw new CliError((error as Error).message);
      throw error;
    }
    say(
      `wrote ${out}: ${written.byteLength.toLocaleString('en-US')} bytes (${dtype}); concept ${concept.token} (supercategory ${concept.supercategory}, ` +
        `from "${args.words}"), ${concept.valueTargets.length} layers, beta ${concept.defaults.beta}, tau ${concept.defaults.tau}`,
    );
    io.stdout(`${out}\n`);
    return EXIT_OK;
  } finally {
    await pipeline?.release();
  }
}
