import { describe, expect, it } from 'vitest';
import { VegaPngCharts } from '../../src/charts/vega-png-charts.ts';
import type { LineChart } from '../../src/handlers/monitoring/chart-port.ts';
import { decodePng, pixelsOf, seriesColours } from '../support/png.ts';

const start = Date.UTC(2026, 10, 23);
const hour = 3_600_000;
const chart: LineChart = {
  title: 'API latency percentiles, 7 days',
  yTitle: 'latency (ms)',
  points: ['p50', 'p95', 'p99'].flatMap((series, s) =>
    Array.from({ length: 168 }, (_, i) => ({
      series,
      at: new Date(start + i * hour),
      value: (s + 1) * 30 + 10 * Math.sin(i / 8),
    })),
  ),
};

describe('VegaPngCharts', () => {
  const charts = new VegaPngCharts({ width: 600, height: 240, scale: 2 });

  it('renders a line chart to a real PNG: signature, size, and every series drawn in its colour', async () => {
    const png = decodePng(await charts.png(chart));
    // Plot plus axes, title and legend, at twice the CSS size.
    expect(png.width).toBeGreaterThan(1200);
    expect(png.width).toBeLessThan(1800);
    expect(png.height).toBeGreaterThan(480);
    expect(png.height).toBeLessThan(800);
    const white = pixelsOf(png, '#ffffff', 6);
    expect(white / (png.width * png.height)).toBeLessThan(0.97);
    for (const colour of seriesColours.slice(0, 3)) expect(pixelsOf(png, colour), colour).toBeGreaterThan(500);
    // A fourth colour is not in the picture: the count above is about the series, not noise.
    expect(pixelsOf(png, seriesColours[4]!)).toBeLessThan(50);
  });

  it('labels the axes and legend with the bundled font, offline (no system fonts)', async () => {
    const svg = await charts.svg(chart);
    for (const label of ['API latency percentiles, 7 days', 'latency (ms)', 'p50', 'p95', 'p99'])
      expect(svg).toContain(label);
    expect(svg).toContain('Open Sans');
  });

  it('draws a forecast dashed beside the measured series', async () => {
    const forecast: LineChart = {
      ...chart,
      points: [...chart.points, { series: 'p50', at: new Date(start + 400 * hour), value: 60, forecast: true }],
    };
    const svg = await charts.svg(forecast);
    expect(svg).toContain('stroke-dasharray="6,4"');
    expect(svg).toContain('forecast');
  });
});
