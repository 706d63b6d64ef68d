import type { AttributeAccuracy } from './accuracy.js';
import type { EvaluationReport } from './evaluate-model.js';

const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;

/** The report's accuracies as a Markdown table (one row per caption kind that was evaluated). */
export function reportTable(report: EvaluationReport): string {
  const row = (label: string, a: AttributeAccuracy): string =>
    `| ${label} | ${a.samples} | ${percent(a.background)} | ${percent(a.colour)} | ${percent(a.shape)} | ${percent(a.position)} | ${percent(a.size)} | ${percent(a.count)} | ${percent(a.exact)} |`;
  return [
    '| captions | samples | background | colour | shape | position | size | count | all correct |',
    '|---|---|---|---|---|---|---|---|---|',
    ...(report.single.samples > 0 ? [row('one object', report.single)] : []),
    ...(report.double.samples > 0 ? [row('two objects', report.double)] : []),
  ].join('\n');
}
