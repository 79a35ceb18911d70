import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The bot's own Prometheus series, one registry per process role (never prom-client's global one, so
 * several bots in one test process never share counters). deploy/grafana and deploy/prometheus use
 * exactly these names; test/metrics checks that they stay in step.
 */
export interface BotMetrics {
  registry: Registry;
  /** Request received → acknowledged, by surface (command, click, modal, event) and action. */
  ackSeconds: Histogram<'surface' | 'action'>;
  commands: Counter<'action' | 'outcome'>;
  approvals: Counter<'state'>;
  runs: Counter<'kind' | 'outcome'>;
  stepSeconds: Histogram<'kind' | 'step'>;
  slackRateLimited: Counter<'method'>;
  /** Filled on scrape by the collectors (collectors.ts). */
  runsActive: Gauge<'kind' | 'status'>;
  runOldestActiveSeconds: Gauge<'kind' | 'status'>;
  outboxPending: Gauge;
  outboxOldestPendingSeconds: Gauge;
  queueJobs: Gauge<'queue' | 'state'>;
  dbPoolConnections: Gauge<'state'>;
  collectorUp: Gauge<'collector'>;
}

export const METRIC_PREFIX = 'eafix_chatops_';

export function createBotMetrics(role: string): BotMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  const name = (n: string) => `${METRIC_PREFIX}${n}`;
  const registers = [registry];
  return {
    registry,
    ackSeconds: new Histogram({
      name: name('ack_seconds'),
      help: 'Time from receiving a Slack request to acknowledging it (Slack gives up at 3 s)',
      labelNames: ['surface', 'action'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.9, 5],
      registers,
    }),
    commands: new Counter({
      name: name('commands_total'),
      help: 'Audited commands by action and outcome',
      labelNames: ['action', 'outcome'],
      registers,
    }),
    approvals: new Counter({
      name: name('approvals_total'),
      help: 'Approval events by state (requested, approved, rejected, expired, ...)',
      labelNames: ['state'],
      registers,
    }),
    runs: new Counter({
      name: name('runs_total'),
      help: 'Runs finished on this worker by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    stepSeconds: new Histogram({
      name: name('run_step_seconds'),
      help: 'Duration of run steps that finished, by run kind and step',
      labelNames: ['kind', 'step'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    slackRateLimited: new Counter({
      name: name('slack_rate_limited_total'),
      help: 'Slack Web API answers 429, by method',
      labelNames: ['method'],
      registers,
    }),
    runsActive: new Gauge({
      name: name('runs_active'),
      help: 'Runs queued or running (all workers, from PostgreSQL)',
      labelNames: ['kind', 'status'],
      registers,
    }),
    runOldestActiveSeconds: new Gauge({
      name: name('run_oldest_active_seconds'),
      help: 'Age of the oldest queued or running run',
      labelNames: ['kind', 'status'],
      registers,
    }),
    outboxPending: new Gauge({
      name: name('outbox_pending'),
      help: 'Slack outbox rows not yet delivered (all processes, from PostgreSQL)',
      registers,
    }),
    outboxOldestPendingSeconds: new Gauge({
      name: name('outbox_oldest_pending_seconds'),
      help: 'Age of the oldest undelivered Slack outbox row',
      registers,
    }),
    queueJobs: new Gauge({
      name: name('queue_jobs'),
      help: 'BullMQ jobs by queue and state (waiting, active, delayed, failed, ...)',
      labelNames: ['queue', 'state'],
      registers,
    }),
    dbPoolConnections: new Gauge({
      name: name('db_pool_connections'),
      help: 'PostgreSQL pool connections: total, idle, waiting (clients queued for one)',
      labelNames: ['state'],
      registers,
    }),
    collectorUp: new Gauge({
      name: name('collector_up'),
      help: '1 when the last scrape could read this source (postgres, queues), else 0',
      labelNames: ['collector'],
      registers,
    }),
  };
}
