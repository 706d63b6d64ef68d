import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { SweepPoint } from './tradeoff-sweep.js';

/** One curve of the plot: a label and its points in sweep order. */
export interface TradeoffSeries {
  readonly label: string;
  readonly points: readonly SweepPoint[];
  /** Which knob the curve varies, shown beside each point; `'none'`: a lone reference point (no concept). */
  readonly varies: 'beta' | 'tau' | 'none';
}

/**
 * An axis range within [0, 1] that holds every value with a margin, on tenths: the full [0, 1]
 * squeezed a sweep whose alignments all lie above 0.95 into one column at the right edge.
 */
export function plotDomain(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const low = Math.max(0, Math.floor((Math.min(...finite) - 0.02) * 10) / 10);
  const high = Math.min(1, Math.ceil((Math.max(...finite) + 0.02) * 10) / 10);
  return [low, Math.max(high, low + 0.1)];
}

/**
 * The fidelity/alignment trade-off as a PNG: alignment (x) against fidelity (y), one line per
 * series with each point labelled by its β or τ, drawn with Vega-Lite and rasterised by resvg.
 */
export async function tradeoffPlotPng(series: readonly TradeoffSeries[], title: string): Promise<Uint8Array> {
  const values = series.flatMap((s) =>
    s.points.map((p, order) => ({ series: s.label, order, alignment: p.alignment, fidelity: p.fidelity, label: s.varies === 'beta' ? `β ${p.beta}` : s.varies === 'tau' ? `τ ${p.tau}` : '' })),
  );
  const encoding = {
    x: { field: 'alignment', type: 'quantitative', title: 'prompt alignment (background and place right)', scale: { domain: plotDomain(values.map((v) => v.alignment)) } },
    y: { field: 'fidelity', type: 'quantitative', title: 'concept fidelity (pattern inside the object)', scale: { domain: plotDomain(values.map((v) => v.fidelity)) } },
    color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', columns: 1, labelLimit: 400 } },
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 380,
    data: { values },
    layer: [
      { mark: { type: 'line', point: { size: 60 } }, encoding: { ...encoding, order: { field: 'order', type: 'quantitative' } } },
      { mark: { type: 'text', dx: 6, dy: -8, align: 'left', fontSize: 10 }, encoding: { x: encoding.x, y: encoding.y, text: { field: 'label' }, color: encoding.color } },
    ],
  };
  const compiled = vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  await view.finalize();
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
}
