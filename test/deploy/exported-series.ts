/**
 * The series names the bot exports (from its real registry, histograms expanded to _bucket/_sum/_count)
 * and the series a PromQL expression reads, so dashboards and alert rules can be held to them.
 */
import { createBotMetrics, METRIC_PREFIX } from '../../src/metrics/bot-metrics.ts';

export async function exportedSeries(): Promise<Set<string>> {
  const metrics = createBotMetrics('test');
  const families = await metrics.registry.getMetricsAsJSON();
  const names = new Set<string>();
  for (const family of families) {
    const type = String(family.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${family.name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${family.name}${suffix}`);
    else names.add(family.name);
  }
  return names;
}

/** Metric names in a PromQL expression: the bot's own (eafix_chatops_*) and the process metrics it exports. */
export function seriesIn(expr: string): string[] {
  const pattern = new RegExp(`\\b(${METRIC_PREFIX}[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)\\b`, 'g');
  return [...new Set([...expr.matchAll(pattern)].map((m) => m[1]!))];
}
