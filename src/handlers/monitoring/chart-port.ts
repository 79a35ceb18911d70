/** A line chart as the reviews describe it; the renderer (src/charts/) turns it into a PNG. */
export interface LineChart {
  title: string;
  /** The y axis's title, unit included: `p95 latency (ms)`. */
  yTitle: string;
  points: Array<{ series: string; at: Date; value: number; forecast?: boolean }>;
}

/** Renders charts to PNG: a port, so handlers never import the rendering libraries. */
export interface ChartRenderer {
  png(chart: LineChart): Promise<Uint8Array>;
}
