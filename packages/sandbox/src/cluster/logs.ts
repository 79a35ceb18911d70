/**
 * Deterministic, plausible EAFIX container logs. A line's text depends only
 * on the pod name and its index since the container started, so repeated
 * reads agree and `--since`/`--tail` behave like the kubelet's.
 */
import { hashString } from './ids.ts';

export const LOG_INTERVAL_MS = 3000;
const MAX_LINES = 5000;
const SYMBOLS = ['EURUSD', 'GBPUSD', 'USDJPY', 'AUDUSD', 'USDCHF', 'XAUUSD', 'EURGBP', 'USDCAD'];

type Rand = (n: number) => number;
type Template = (r: Rand) => [level: string, message: string];

const sym = (r: Rand) => SYMBOLS[r(SYMBOLS.length)] ?? 'EURUSD';
const side = (r: Rand) => (r(2) === 0 ? 'BUY' : 'SELL');
const price = (r: Rand) => (1 + r(50000) / 100000).toFixed(5);
const orderId = (r: Rand) => `ord-${(r(0xffffff) + 0x100000).toString(16)}`;

const TEMPLATES: Record<string, Template[]> = {
  'data-ingestor': [
    (r) => ['INFO', `ingested ${200 + r(4000)} ticks symbol=${sym(r)} feed=primary lag_ms=${r(40)}`],
    (r) => ['INFO', `flushed batch size=${500 + r(1500)} to timescale in ${3 + r(30)}ms`],
    (r) => ['DEBUG', `heartbeat feed=primary status=ok seq=${r(1_000_000)}`],
  ],
  'signal-generator': [
    (r) => ['INFO', `signal symbol=${sym(r)} strategy=mean-reversion side=${side(r)} confidence=0.${50 + r(49)}`],
    (r) => ['INFO', `evaluated ${10 + r(30)} strategies in ${5 + r(60)}ms`],
  ],
  'execution-engine': [
    (r) => [
      'INFO',
      `order filled id=${orderId(r)} symbol=${sym(r)} side=${side(r)} qty=${1 + r(10)}0000 price=${price(r)} latency_ms=${2 + r(20)}`,
    ],
    (r) => ['INFO', `order routed broker=mt5-bridge id=${orderId(r)} symbol=${sym(r)}`],
    (r) => ['DEBUG', `broker session keepalive ok rtt_ms=${1 + r(15)}`],
  ],
  'portfolio-manager': [
    (r) => [
      'INFO',
      `pnl snapshot realised=${r(20000) - 5000}.${r(100)} unrealised=${r(8000) - 4000}.${r(100)} positions=${r(40)}`,
    ],
    (r) => ['INFO', `rebalanced portfolio gross_exposure=${20 + r(60)}% net_exposure=${r(30)}%`],
  ],
  'risk-manager': [
    (r) => ['INFO', `risk check passed order=${orderId(r)} var_95=${r(5000)} limit=25000`],
    (r) => ['INFO', `exposure symbol=${sym(r)} usage=${r(80)}% of limit`],
    (r) => ['WARN', `drawdown ${(r(40) / 10).toFixed(1)}% approaching soft limit 5.0% account=main`],
  ],
  'auth-service': [
    (r) => ['INFO', `token issued user=trader${r(40)} ttl=3600s`],
    (r) => ['INFO', `session refreshed user=trader${r(40)} ip=10.8.${r(255)}.${r(255)}`],
  ],
  'market-data': [
    (r) => ['INFO', `quote symbol=${sym(r)} bid=${price(r)} spread_pts=${1 + r(20)}`],
    (r) => ['INFO', `subscribers=${r(300)} fanout_ms=${r(9)}`],
  ],
  'notification-service': [
    (r) => ['INFO', `sent notification channel=slack template=trade-fill id=${orderId(r)}`],
    (r) => ['INFO', `sent notification channel=email template=daily-pnl recipients=${1 + r(5)}`],
  ],
  gateway: [
    (r) => ['INFO', `GET /api/v1/positions 200 ${2 + r(40)}ms`],
    (r) => ['INFO', `POST /api/v1/orders 201 ${5 + r(80)}ms symbol=${sym(r)}`],
    (r) => ['INFO', `GET /healthz 200 ${r(3)}ms`],
  ],
};

function templatesFor(container: string): Template[] {
  const key = Object.keys(TEMPLATES).find((k) => container.includes(k));
  return TEMPLATES[key ?? 'gateway'] ?? [];
}

/** murmur3's finaliser as a stream: well-mixed bits for every draw. */
function randFrom(seed: number): Rand {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x9e3779b9) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    x = (x ^ (x >>> 16)) >>> 0;
    return n <= 0 ? 0 : Math.floor((x / 4294967296) * n);
  };
}

export interface LogLine {
  time: number;
  text: string;
}

export interface LogRequest {
  podName: string;
  container: string;
  image: string;
  startedAt: number;
  now: number;
  /** Set when the container is crash-looping: its current run ends in a fatal error. */
  crashedAt?: number;
}

function line(time: number, container: string, level: string, message: string): LogLine {
  return { time, text: `${new Date(time).toISOString()} ${level.padEnd(5)} [${container}] ${message}` };
}

function startup(req: LogRequest, at: number): LogLine[] {
  const tag = req.image.split(':').pop() ?? 'latest';
  return [
    line(at, req.container, 'INFO', `starting ${req.container} version=${tag} pod=${req.podName}`),
    line(at + 40, req.container, 'INFO', 'connected to redis://eafix-redis:6379 and postgres://eafix-db:5432/eafix'),
    line(at + 85, req.container, 'INFO', 'listening on :8080 (metrics on :9090)'),
  ];
}

export function generateLogs(req: LogRequest): LogLine[] {
  if (req.crashedAt !== undefined) {
    const at = req.crashedAt;
    return [
      ...startup(req, at),
      line(at + 120, req.container, 'ERROR', 'failed to load configuration: key "EAFIX_BROKER_URL" is required'),
      line(at + 125, req.container, 'FATAL', `${req.container} exiting with code 1`),
    ];
  }
  const templates = templatesFor(req.container);
  const first = Math.max(0, Math.floor((req.now - req.startedAt) / LOG_INTERVAL_MS) - MAX_LINES);
  const out = first === 0 ? startup(req, req.startedAt) : [];
  for (let i = Math.max(first, 1); ; i++) {
    const time = req.startedAt + i * LOG_INTERVAL_MS + (hashString(`${req.podName}#${i}`) % 900);
    if (time > req.now) break;
    const r = randFrom(hashString(`${req.podName}/${i}`));
    const template = templates[r(templates.length)];
    if (!template) break;
    const [level, message] = template(r);
    out.push(line(time, req.container, level, message));
  }
  return out.filter((l) => l.time <= req.now);
}

/** kubelet's `timestamps=true` prefix: RFC 3339 with nanoseconds. */
function kubeletTimestamp(time: number): string {
  return new Date(time).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function renderLogs(
  lines: LogLine[],
  opts: { now: number; tailLines?: number; sinceSeconds?: number; sinceTime?: number; timestamps?: boolean },
): string {
  let selected = lines;
  const since = opts.sinceSeconds !== undefined ? opts.now - opts.sinceSeconds * 1000 : opts.sinceTime;
  if (since !== undefined) selected = selected.filter((l) => l.time >= since);
  if (opts.tailLines !== undefined) selected = opts.tailLines <= 0 ? [] : selected.slice(-opts.tailLines);
  return selected.map((l) => (opts.timestamps ? `${kubeletTimestamp(l.time)} ${l.text}\n` : `${l.text}\n`)).join('');
}
