import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';

const MAX_SERIES = 30;

const formatLabels = (labels: Record<string, string>) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v}"`).join(', ')}}` : '(no labels)';
};

export const metricsQuery = defineAction({
  id: 'metrics query',
  kind: 'query',
  chapter: 'Troubleshooting',
  summary: 'Run an instant PromQL query (runbook: check latency, error rates, cache hit rates)',
  positional: ['query'],
  positionalRest: true,
  input: z.object({ query: z.string().min(1).max(2_000).describe('a PromQL expression; quote it when it has spaces') }),
  risk: 'read',
  permission: 'monitoring.read',
  examples: [
    "metrics query 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))'",
    'metrics query redis_cache_hit_rate',
  ],
  run: async ({ query }, { deps }) => {
    const { prometheus } = deps.monitoring;
    if (!prometheus) {
      throw new AppError('prometheus_not_configured', 'No Prometheus is configured.', {
        hints: ['Set PROMETHEUS_URL or monitoring.prometheus.url in the policy file.'],
      });
    }
    const series = await prometheus.series(query);
    if (series.length === 0) return { text: `\`${query}\` returned no data.` };
    const shown = series
      .slice(0, MAX_SERIES)
      .map((s) => `${formatLabels(s.labels)}  ${Number.isFinite(s.value) ? s.value.toPrecision(6) : String(s.value)}`);
    const more =
      series.length > MAX_SERIES ? `\n…and ${series.length - MAX_SERIES} more series; narrow the query.` : '';
    const text = `*\`${query.slice(0, 500)}\`* (${series.length} series)\n\`\`\`${shown.join('\n')}\`\`\`${more}`;
    return { text, blocks: sections(text) };
  },
});
