/**
 * Charts for the recurring reviews: a Vega-Lite line chart compiled to Vega, rendered headless to SVG,
 * and rasterised to PNG by resvg. No browser and no system fonts: the font ships in the package
 * (open-sans-fonts), so a slim container draws the same labels as a laptop. The libraries load on the
 * first chart: they are large, and resvg's native renderer is a per-platform package a broken install may
 * lack, which must cost the reviews their charts, never the bot its start.
 */
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartRenderer, LineChart } from '../handlers/monitoring/chart-port.ts';

const FONT_FAMILY = 'Open Sans';
const fontFile = createRequire(import.meta.url).resolve('open-sans-fonts/open-sans/Regular/OpenSans-Regular.ttf');

export interface VegaPngChartsOptions {
  /** Plot size in CSS pixels; the PNG is `scale` times larger for crisp text in Slack. */
  width?: number;
  height?: number;
  scale?: number;
}

export class VegaPngCharts implements ChartRenderer {
  constructor(private readonly options: VegaPngChartsOptions = {}) {}

  async png(chart: LineChart): Promise<Uint8Array> {
    const svg = await this.svg(chart);
    const { Resvg } = await import('@resvg/resvg-js');
    const rendered = new Resvg(svg, {
      font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
      fitTo: { mode: 'zoom', value: this.options.scale ?? 2 },
      background: 'white',
    }).render();
    return rendered.asPng();
  }

  async svg(chart: LineChart): Promise<string> {
    const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
    const view = new View(parse(compile(this.spec(chart)).spec), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  }

  private spec(chart: LineChart): TopLevelSpec {
    const values = chart.points.map((p) => ({
      series: p.series,
      at: p.at.toISOString(),
      value: p.value,
      kind: p.forecast ? 'forecast' : 'measured',
    }));
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: chart.title,
      width: this.options.width ?? 640,
      height: this.options.height ?? 260,
      background: 'white',
      data: { values },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'at', type: 'temporal', title: null },
        y: { field: 'value', type: 'quantitative', title: chart.yTitle },
        color: { field: 'series', type: 'nominal', title: null },
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['measured', 'forecast'],
            range: [
              [1, 0],
              [6, 4],
            ],
          },
          legend: chart.points.some((p) => p.forecast) ? {} : null,
        },
        detail: { field: 'kind', type: 'nominal' },
      },
      config: { font: FONT_FAMILY },
    };
  }
}
