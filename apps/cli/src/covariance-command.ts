import { loadPipeline, type CovarianceInfo, type Pipeline } from '@perfusion/pipeline';
import type { CovarianceArgs } from './args.js';
import { EXIT_OK } from './exit-codes.js';
import { CLI_PIPELINE_SETTINGS } from './generate-command.js';
import type { CliIo } from './io.js';
import { resolveModel } from './model-dir.js';
import { renderMessage, renderPreparing, renderPreparingSummary, updatePreparing, type PreparingState, type ProgressMode } from './progress.js';

/** What `perfusion covariance` prints on stdout about the covariance in use (pure, for tests). */
export function renderCovariance(info: CovarianceInfo): string {
  const seconds = (info.ms / 1000).toFixed(info.ms < 10_000 ? 2 : 1);
  const how =
    info.source === 'computed'
      ? `computed now from ${info.captions.toLocaleString('en-US')} captions in ${seconds} s`
      : `cached (computed earlier), read in ${seconds} s; --recompute computes it again`;
  const rows: [string, string][] = [
    ['covariance', how],
    ['stored in', info.file ?? 'nowhere: no cache folder was writable (it is computed again next time)'],
    ['captions', `${info.captions.toLocaleString('en-US')}${info.corpus === undefined ? '' : ` (${info.corpus})`}`],
    ['encodings', `${info.count.toLocaleString('en-US')} token rows of width ${info.dim}`],
    ['base model', info.fingerprint],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)}${v}`).join('\n') + '\n';
}

/**
 * `perfusion covariance`: loads the model with Perfusion and asks the pipeline for its covariance,
 * which is read from the cache or computed (with a progress display) and cached. Ctrl-C quits at
 * once (the cache file is written atomically, so nothing half-written is left).
 */
export async function runCovariance(args: CovarianceArgs, io: CliIo): Promise<number> {
  const say = (line: string): void => io.stderr(`${line}\n`);
  const model = await resolveModel(args.model, 'covariance', say);
  const mode: ProgressMode = io.stderrIsTTY ? { tty: true, columns: io.columns } : { tty: false };
  let pipeline: Pipeline | undefined;
  try {
    const loadStarted = io.now();
    pipeline = await loadPipeline(model.dir, { session: CLI_PIPELINE_SETTINGS.session, perfusion: true });
    say(`loaded in ${((io.now() - loadStarted) / 1000).toFixed(1)} s`);
    let state: PreparingState | undefined;
    let barShown = false;
    const info = await pipeline.covariance({
      recompute: args.recompute,
      onProgress: ({ done, total }) => {
        const previous = state?.done;
        state = updatePreparing(state, 'covariance', done, total, io.now());
        const text = renderPreparing(state, mode, previous);
        if (text !== '') {
          io.stderr(text);
          barShown = mode.tty;
        }
        if (done === total && previous !== total) {
          io.stderr(renderMessage(renderPreparingSummary(state), mode, barShown));
          barShown = false;
        }
      },
    });
    if (barShown) io.stderr('\n');
    io.stdout(renderCovariance(info));
    return EXIT_OK;
  } finally {
    await pipeline?.release();
  }
}
