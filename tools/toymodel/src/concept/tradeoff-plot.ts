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
 * The fidelity/alignment trade-off as a PNG: alignment (x) against fidelity (y), one line per
 * series with each point labelled by its β or τ, drawn with Vega-Lite and rasterised by resvg.
 */
export async function tradeoffPlotPng(series: readonly TradeoffSeries[], title: string): Promise<Uint8Array> {
  const values = series.flatMap((s) =>
    s.points.map((p, order) => ({ series: s.label, order, alignment: p.alignment, fidelity: p.fidelity, label: s.varies === 'beta' ? `β ${p.beta}` : s.varies === 'tau' ? `τ ${p.tau}` : '' })),
  );
  const encoding = {
    x: { field: 'alignment', type: 'quantitative', title: 'prompt alignment (background and place right)', scale: { domain: [0, 1] } },
    y: { field: 'fidelity', type: 'quantitative', title: 'concept fidelity (pattern inside the object)', scale: { domain: [0, 1] } },
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
