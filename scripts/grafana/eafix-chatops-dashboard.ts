/**
 * The Grafana dashboard for the bot itself, typed against Grafana's dashboard schema (@grafana/schema):
 * `satisfies Dashboard` rejects unknown fields and wrong types at typecheck. `npm run dashboard:generate`
 * writes it to deploy/grafana/eafix-chatops.json; a test keeps the two equal and the queries on series
 * the bot exports.
 */
import {
  DashboardCursorSync,
  VariableHide,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type RowPanel,
} from '@grafana/schema';

const datasource = { type: 'prometheus', uid: '${datasource}' };
/** Every query is scoped to the namespace picked at the top (label from Kubernetes service discovery). */
const ns = (extra?: string) => `{namespace=~"$namespace"${extra ? `,${extra}` : ''}}`;

interface Query {
  expr: string;
  legend: string;
}

let nextId = 1;
let y = 0;

function row(title: string): RowPanel {
  const panel: RowPanel = {
    id: nextId++,
    type: 'row',
    title,
    collapsed: false,
    gridPos: { h: 1, w: 24, x: 0, y },
    panels: [],
  };
  y += 1;
  return panel;
}

/** Time series panels laid out left to right, `width` columns each, a new line after each call. */
function line(
  height: number,
  ...panels: { title: string; description: string; unit: string; width: number; queries: Query[] }[]
): Panel[] {
  let x = 0;
  const laid = panels.map((p): Panel => {
    const panel: Panel = {
      id: nextId++,
      type: 'timeseries',
      title: p.title,
      description: p.description,
      datasource,
      gridPos: { h: height, w: p.width, x, y },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      options: {
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
      targets: p.queries.map((q, i) => ({
        refId: String.fromCharCode(65 + i),
        datasource,
        expr: q.expr,
        legendFormat: q.legend,
      })),
    };
    x += p.width;
    return panel;
  });
  y += height;
  return laid;
}

const panels: (Panel | RowPanel)[] = [
  row('Slack: acknowledgements and commands'),
  ...line(
    8,
    {
      title: 'Ack latency by surface',
      description: 'Slack gives up at 3 s; the receiver acknowledges by 2.9 s at the latest.',
      unit: 's',
      width: 12,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le, surface) (rate(eafix_chatops_ack_seconds_bucket${ns()}[5m])))`,
          legend: 'p99 {{surface}}',
        },
        {
          expr: `histogram_quantile(0.5, sum by (le, surface) (rate(eafix_chatops_ack_seconds_bucket${ns()}[5m])))`,
          legend: 'p50 {{surface}}',
        },
      ],
    },
    {
      title: 'Acks slower than 2.9 s',
      description: 'Acknowledged by the safety-net timer or later: the user may have seen a timeout.',
      unit: 'reqps',
      width: 12,
      queries: [
        {
          expr: `sum(rate(eafix_chatops_ack_seconds_count${ns()}[5m])) - sum(rate(eafix_chatops_ack_seconds_bucket${ns('le="2.9"')}[5m]))`,
          legend: 'over the deadline',
        },
      ],
    },
  ),
  ...line(
    8,
    {
      title: 'Commands by action and outcome',
      description: 'Audited commands per second.',
      unit: 'reqps',
      width: 12,
      queries: [
        {
          expr: `sum by (action, outcome) (rate(eafix_chatops_commands_total${ns()}[5m]))`,
          legend: '{{action}} {{outcome}}',
        },
      ],
    },
    {
      title: 'Ack latency p95 by action',
      description: 'The slowest actions to acknowledge.',
      unit: 's',
      width: 12,
      queries: [
        {
          expr: `histogram_quantile(0.95, sum by (le, action) (rate(eafix_chatops_ack_seconds_bucket${ns()}[5m])))`,
          legend: '{{action}}',
        },
      ],
    },
  ),
  row('Approvals and runs'),
  ...line(
    8,
    {
      title: 'Approvals by state (per hour)',
      description: 'Requested, approved, rejected, expired, superseded, refused clicks.',
      unit: 'short',
      width: 12,
      queries: [{ expr: `sum by (state) (increase(eafix_chatops_approvals_total${ns()}[1h]))`, legend: '{{state}}' }],
    },
    {
      title: 'Runs finished by kind and outcome (per hour)',
      description: 'Rollbacks, scales, restarts, isolations.',
      unit: 'short',
      width: 12,
      queries: [
        {
          expr: `sum by (kind, outcome) (increase(eafix_chatops_runs_total${ns()}[1h]))`,
          legend: '{{kind}} {{outcome}}',
        },
      ],
    },
  ),
  ...line(
    8,
    {
      title: 'Step duration p95',
      description: 'How long each checkpointed step takes.',
      unit: 's',
      width: 12,
      queries: [
        {
          expr: `histogram_quantile(0.95, sum by (le, kind, step) (rate(eafix_chatops_run_step_seconds_bucket${ns()}[15m])))`,
          legend: '{{kind}} {{step}}',
        },
      ],
    },
    {
      title: "Active runs and the oldest one's age",
      description: 'From PostgreSQL: every pod reports the same, hence max.',
      unit: 'short',
      width: 12,
      queries: [
        { expr: `max by (kind, status) (eafix_chatops_runs_active${ns()})`, legend: '{{kind}} {{status}}' },
        {
          expr: `max by (kind, status) (eafix_chatops_run_oldest_active_seconds${ns()})`,
          legend: 'oldest {{kind}} {{status}} (s)',
        },
      ],
    },
  ),
  row('Slack outbox, queues, database'),
  ...line(
    8,
    {
      title: 'Outbox backlog',
      description: 'Posts and edits waiting for Slack (rate limits, outages).',
      unit: 'short',
      width: 12,
      queries: [
        { expr: `max(eafix_chatops_outbox_pending${ns()})`, legend: 'pending' },
        { expr: `max(eafix_chatops_outbox_oldest_pending_seconds${ns()})`, legend: 'oldest (s)' },
      ],
    },
    {
      title: 'Slack 429s by method',
      description: 'Rate-limited Web API calls per second, whichever client made them.',
      unit: 'reqps',
      width: 12,
      queries: [
        { expr: `sum by (method) (rate(eafix_chatops_slack_rate_limited_total${ns()}[5m]))`, legend: '{{method}}' },
      ],
    },
  ),
  ...line(
    8,
    {
      title: 'BullMQ jobs by queue and state',
      description: 'Run jobs are removed once finished; PostgreSQL keeps the history.',
      unit: 'short',
      width: 12,
      queries: [
        {
          expr: `max by (queue, state) (eafix_chatops_queue_jobs${ns('state=~"waiting|active|delayed|failed|prioritized"')})`,
          legend: '{{queue}} {{state}}',
        },
      ],
    },
    {
      title: 'PostgreSQL pool by pod',
      description: 'Connections open, idle, and clients waiting for one.',
      unit: 'short',
      width: 12,
      queries: [
        { expr: `sum by (pod, state) (eafix_chatops_db_pool_connections${ns()})`, legend: '{{pod}} {{state}}' },
      ],
    },
  ),
  row('Processes'),
  ...line(
    8,
    {
      title: 'CPU by pod',
      description: 'Cores used.',
      unit: 'short',
      width: 8,
      queries: [
        { expr: `sum by (pod, role) (rate(process_cpu_seconds_total${ns()}[5m]))`, legend: '{{pod}} ({{role}})' },
      ],
    },
    {
      title: 'Resident memory by pod',
      description: 'Against the container limit in the Deployment.',
      unit: 'bytes',
      width: 8,
      queries: [{ expr: `sum by (pod, role) (process_resident_memory_bytes${ns()})`, legend: '{{pod}} ({{role}})' }],
    },
    {
      title: 'Event loop lag p99 by pod',
      description: 'A blocked event loop delays every acknowledgement.',
      unit: 's',
      width: 8,
      queries: [{ expr: `max by (pod, role) (nodejs_eventloop_lag_p99_seconds${ns()})`, legend: '{{pod}} ({{role}})' }],
    },
  ),
  ...line(6, {
    title: 'Metrics sources up',
    description: '0: the last scrape could not read PostgreSQL or Redis.',
    unit: 'short',
    width: 24,
    queries: [{ expr: `min by (collector) (eafix_chatops_collector_up${ns()})`, legend: '{{collector}}' }],
  }),
];

export const dashboard = {
  uid: 'eafix-chatops',
  title: 'eafix-chatops: the bot',
  description:
    'The ChatOps bot itself: Slack acknowledgements, commands, approvals, runs, outbox, queues, database pool, processes.',
  tags: ['eafix', 'chatops'],
  editable: true,
  graphTooltip: DashboardCursorSync.Crosshair,
  schemaVersion: 39,
  version: 1,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  timezone: 'browser',
  annotations: { list: [] },
  links: [],
  templating: {
    list: [
      {
        name: 'datasource',
        label: 'Prometheus',
        type: 'datasource',
        query: 'prometheus',
        hide: VariableHide.dontHide,
        options: [],
        refresh: VariableRefresh.onDashboardLoad,
        skipUrlSync: false,
      },
      {
        name: 'namespace',
        label: 'Namespace',
        type: 'query',
        datasource,
        query: { query: 'label_values(eafix_chatops_collector_up, namespace)', refId: 'namespace' },
        includeAll: true,
        multi: false,
        allValue: '.*',
        options: [],
        refresh: VariableRefresh.onTimeRangeChanged,
        hide: VariableHide.dontHide,
        skipUrlSync: false,
        sort: VariableSort.alphabeticalAsc,
      },
    ],
  },
  panels,
} satisfies Dashboard;
