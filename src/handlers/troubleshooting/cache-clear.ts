import { argWord, platformRemedy } from './platform-remedy.ts';

export const cacheClear = platformRemedy({
  id: 'cache clear',
  summary: 'Clear cached keys matching a pattern (runbook: high latency, stale market data)',
  permission: 'maintenance.cache',
  risk: 'change',
  approval: 'none',
  options: { pattern: argWord('key pattern such as slow_query_*') },
  examples: ['cache clear --pattern="slow_query_*" --reason "stale query cache after the deploy"'],
  args: (i) => ['cache', 'clear', `--pattern=${String(i.pattern)}`],
});
