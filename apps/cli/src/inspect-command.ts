import { inspectConcept, type CompatibilityProblem, type ConceptSummary, type JsonData } from '@perfusion/concept-format';
import { describePerfusionModel } from '@perfusion/pipeline';
import type { InspectArgs } from './args.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';
import type { CliIo } from './io.js';
import { resolveModel } from './model-dir.js';

/** The model a concept was checked against. */
export interface InspectedModel {
  readonly dir: string;
  readonly isDefault: boolean;
  readonly fingerprint: string;
}

/** What `perfusion inspect --json` prints: the concept's summary, the model and the verdict. */
export interface InspectReport extends ConceptSummary {
  readonly model: InspectedModel;
  readonly compatibility: CompatibilityProblem[];
  readonly compatible: boolean;
}

const bytes = (n: number): string => `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;

/** A training summary as `key value, key value`, each value as JSON (`steps 400, words "tabby cat"`). */
export function formatTraining(training: Readonly<Record<string, JsonData>> | undefined): string {
  if (training === undefined) return 'none recorded';
  const entries = Object.entries(training);
  if (entries.length === 0) return 'none recorded';
  return entries.map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ');
}

/** The text `perfusion inspect` prints for a report (pure, so it is tested without files). */
export function renderInspect(report: InspectReport): string {
  const valueTargets = report.layers.reduce((sum, l) => sum + l.width, 0);
  const bytesPerValue = report.dtype === 'float16' ? 2 : 4;
  const rows: [string, string][] = [
    ['token', report.token],
    ['supercategory', report.supercategory],
    ['format', `perfusion-concept version ${report.formatVersion}, ${report.dtype} (${bytesPerValue} bytes per value)`],
    ['base model', report.baseModel.name === undefined ? report.baseModel.fingerprint : `${report.baseModel.fingerprint} (${report.baseModel.name})`],
    ['defaults', `beta ${report.defaults.beta}, tau ${report.defaults.tau}`],
    ['training', formatTraining(report.training)],
    ...(report.createdBy === undefined ? [] : [['created by', report.createdBy] as [string, string]]),
    ['sizes', `file ${bytes(report.sizes.file)}: header ${bytes(report.sizes.header)}, tensor data ${bytes(report.sizes.data)}`],
    [
      'values',
      `${report.floats.toLocaleString('en-US')}: value targets ${valueTargets.toLocaleString('en-US')}, ` +
        `i* and i_super ${report.encodingDim} each, word embedding ${report.embeddingDim}`,
    ],
    ['layers', `${report.layers.length} cross-attention layer${report.layers.length === 1 ? '' : 's'} (name, width):`],
  ];
  const column = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = [report.file, ...rows.map(([k, v]) => `  ${k.padEnd(column)}${v}`)];
  const nameWidth = Math.max(...report.layers.map((l) => l.layer.length));
  for (const { layer, width } of report.layers) lines.push(`    ${layer.padEnd(nameWidth)}  ${String(width).padStart(5)}`);
  const where = `${report.model.isDefault ? 'the default model ' : ''}${report.model.dir}`;
  if (report.compatible) {
    lines.push(`compatible with ${where}: same base model, layers and widths`);
  } else {
    const n = report.compatibility.length;
    lines.push(`NOT compatible with ${where} (base model ${report.model.fingerprint}): ${n} problem${n === 1 ? '' : 's'}`);
    for (const problem of report.compatibility) lines.push(`  ${problem.kind}: ${problem.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `perfusion inspect FILE`: validates the file (a bad one throws concept-format's typed error
 * before any model is touched), describes the model without creating a session, and reports the
 * concept and its compatibility. Exit 1 when the concept cannot be used with the model.
 */
export async function runInspect(args: InspectArgs, io: CliIo): Promise<number> {
  const say = (line: string): void => io.stderr(`${line}\n`);
  const summary = await inspectConcept(args.file);
  const model = await resolveModel(args.model, 'inspect', say, false);
  const description = await describePerfusionModel(model.dir);
  const checked = await inspectConcept(args.file, {
    fingerprint: description.fingerprint,
    layers: description.layers,
    embeddingDim: description.embeddingDim,
    encodingDim: description.encodingDim,
  });
  const compatibility = checked.compatibility ?? [];
  const report: InspectReport = {
    ...summary,
    model: { dir: model.dir, isDefault: model.isDefault, fingerprint: description.fingerprint },
    compatibility,
    compatible: compatibility.length === 0,
  };
  io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderInspect(report));
  return report.compatible ? EXIT_OK : EXIT_FAILED;
}
