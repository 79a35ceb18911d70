import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackEmulator, readBody, send, sendJson } from '../loopback-server.ts';
import { checkSyntax, normaliseExpr, numberLiteral } from './promql-text.ts';
import { ApiError, STATUS_FOR_ERROR, badParam, parseDuration, parseTime } from './prom-wire.ts';
import type { ErrorType } from './prom-wire.ts';
import { evaluateInstant, evaluateRange } from './prom-results.ts';
import type { Registered } from './prom-results.ts';

export interface PromSample {
  metric?: Record<string, string>;
  value: number;
}

export interface PrometheusQueryRecord {
  endpoint: 'query' | 'query_range';
  method: string;
  /** The expression exactly as received ('' when missing). */
  expr: string;
  /** Evaluation time in unix seconds (the range end for query_range); undefined if unparsable. */
  time: number | undefined;
  start?: number;
  end?: number;
  /** Range step in seconds. */
  step?: number;
  /** HTTP status returned. */
  status: number;
  errorType?: ErrorType;
  receivedAt: Date;
}

export interface FailureSpec {
  /** HTTP status; defaults to the one Prometheus uses for `errorType`. */
  status?: number;
  errorType?: ErrorType;
  error?: string;
}

export interface PrometheusEmulatorOptions {
  /** Clock in epoch milliseconds; the default evaluation time for instant queries. */
  now?: () => number;
}

const BUILD_INFO = {
  version: '2.53.0',
  revision: 'eafix-sandbox-emulator',
  branch: 'HEAD',
  buildUser: 'eafix@sandbox',
  buildDate: '20240619-07:39:12',
  goVersion: 'go1.22.4',
};

const DEFAULT_ERRORS: Record<ErrorType, string> = {
  bad_data: 'bad data',
  execution: 'query processing would load too many samples into memory in query execution',
  unavailable: 'Service Unavailable',
  timeout: 'query timed out in query execution',
  internal: 'internal server error',
  canceled: 'query was canceled in query execution',
};

function errorTypeFor(status: number): ErrorType {
  const match = Object.entries(STATUS_FOR_ERROR).find(([, s]) => s === status);
  return (match?.[0] as ErrorType | undefined) ?? 'internal';
}

type Outcome = { status: number; body: unknown; errorType?: ErrorType };

/**
 * Wire-level Prometheus HTTP API v1 emulator. It does not evaluate PromQL: results are
 * registered per (whitespace-normalised) expression; anything else plausible is "no data".
 */
export class PrometheusEmulator extends LoopbackEmulator<{
  /** A query request arrived (before latency); lets tests act while it is in flight. */
  request: [Pick<PrometheusQueryRecord, 'endpoint' | 'method' | 'expr'>];
  /** A query request was answered. */
  query: [PrometheusQueryRecord];
}> {
  readonly queries: PrometheusQueryRecord[] = [];
  readonly #now: () => number;
  readonly #results = new Map<string, Registered>();
  readonly #failures: ApiError[] = [];
  #latencyMs = 0;

  constructor(options: PrometheusEmulatorOptions = {}) {
    super();
    this.#now = options.now ?? Date.now;
  }

  /** Register a vector result; a bare number is one sample with no labels. */
  setResult(expr: string, samples: ReadonlyArray<PromSample> | number): this {
    const list = typeof samples === 'number' ? [{ value: samples }] : samples;
    const copied = list.map((s) => ({ metric: { ...(s.metric ?? {}) }, value: s.value }));
    this.#results.set(this.#key(expr), { kind: 'vector', samples: copied });
    return this;
  }

  setScalar(expr: string, value: number): this {
    this.#results.set(this.#key(expr), { kind: 'scalar', value });
    return this;
  }

  /** The next `n` query/query_range requests fail with this error (default 503 unavailable). */
  failNext(n: number, spec: FailureSpec = {}): this {
    const errorType = spec.errorType ?? (spec.status === undefined ? 'unavailable' : errorTypeFor(spec.status));
    const status = spec.status ?? STATUS_FOR_ERROR[errorType];
    for (let i = 0; i < n; i++) {
      this.#failures.push(new ApiError(errorType, spec.error ?? DEFAULT_ERRORS[errorType], status));
    }
    return this;
  }

  /** Delay query responses; a request `timeout` shorter than this yields a timeout error. */
  setLatency(ms: number): this {
    this.#latencyMs = Math.max(0, ms);
    return this;
  }

  /** Forget registered results, pending failures, latency and the query log. */
  reset(): void {
    this.#results.clear();
    this.#failures.length = 0;
    this.#latencyMs = 0;
    this.queries.length = 0;
  }

  #key(expr: string): string {
    const problem = checkSyntax(expr);
    if (problem !== undefined) throw new Error(`invalid PromQL ${JSON.stringify(expr)}: ${problem}`);
    return normaliseExpr(expr);
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.#route(req, res).catch((err: unknown) => {
      sendJson(res, 500, new ApiError('internal', String(err)).toBody());
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const text = (allowed: string[], status: number, body: string): void =>
      allowed.includes(method)
        ? send(res, status, 'text/plain; charset=utf-8', body)
        : send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n');
    switch (url.pathname) {
      case '/-/healthy':
        return text(['GET', 'HEAD'], 200, 'Prometheus Server is Healthy.\n');
      case '/-/ready':
        return text(['GET', 'HEAD'], 200, 'Prometheus Server is Ready.\n');
      case '/api/v1/status/buildinfo':
        if (method !== 'GET') return text([], 405, '');
        return sendJson(res, 200, { status: 'success', data: BUILD_INFO });
      case '/api/v1/query':
      case '/api/v1/query_range':
        if (method !== 'GET' && method !== 'POST') return text([], 405, '');
        return this.#query(req, res, url, url.pathname === '/api/v1/query' ? 'query' : 'query_range');
      default:
        return send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
    }
  }

  async #query(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    endpoint: PrometheusQueryRecord['endpoint'],
  ): Promise<void> {
    const params = await formParams(req, url);
    const record: PrometheusQueryRecord = {
      endpoint,
      method: req.method ?? 'GET',
      expr: params.get('query') ?? '',
      time: undefined,
      status: 0,
      receivedAt: new Date(),
    };
    this.emit('request', { endpoint, method: record.method, expr: record.expr });
    // Failures are consumed in arrival order, before parsing, as if Prometheus were sick.
    const failure = this.#failures.shift();
    let outcome: Outcome;
    let timeoutMs: number | undefined;
    try {
      if (failure !== undefined) throw failure;
      const timeout = params.get('timeout');
      if (timeout !== null) timeoutMs = parseDuration('timeout', timeout);
      outcome = { status: 200, body: { status: 'success', data: this.#evaluate(endpoint, params, record) } };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      outcome = { status: err.status, body: err.toBody(), errorType: err.errorType };
    }
    let wait = this.#latencyMs;
    if (timeoutMs !== undefined && wait > timeoutMs) {
      wait = timeoutMs;
      const err = new ApiError('timeout', DEFAULT_ERRORS.timeout);
      outcome = { status: err.status, body: err.toBody(), errorType: err.errorType };
    }
    // Going down mid-wait destroys the socket: nothing to answer or log.
    if (!(await this.server.delay(wait))) return;
    record.status = outcome.status;
    if (outcome.errorType !== undefined) record.errorType = outcome.errorType;
    sendJson(res, outcome.status, outcome.body);
    this.queries.push(record);
    this.emit('query', record);
  }

  #evaluate(
    endpoint: PrometheusQueryRecord['endpoint'],
    params: URLSearchParams,
    record: PrometheusQueryRecord,
  ): unknown {
    const expr = record.expr;
    if (endpoint === 'query') {
      const time = params.get('time');
      const atMs = time === null ? this.#now() : parseTime('time', time);
      record.time = atMs / 1000;
      return evaluateInstant(this.#lookup(expr), atMs);
    }
    const startMs = parseTime('start', params.get('start') ?? '');
    const endMs = parseTime('end', params.get('end') ?? '');
    Object.assign(record, { start: startMs / 1000, end: endMs / 1000, time: endMs / 1000 });
    if (endMs < startMs) throw new ApiError('bad_data', 'end timestamp must not be before start time');
    const stepMs = parseDuration('step', params.get('step') ?? '');
    record.step = stepMs / 1000;
    if (stepMs <= 0) {
      throw new ApiError(
        'bad_data',
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    }
    if ((endMs - startMs) / stepMs > 11_000) {
      throw new ApiError(
        'bad_data',
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    return evaluateRange(this.#lookup(expr), startMs, endMs, stepMs);
  }

  #lookup(expr: string): Registered {
    const problem = checkSyntax(expr);
    if (problem !== undefined) throw badParam('query', problem);
    const registered = this.#results.get(normaliseExpr(expr));
    if (registered !== undefined) return registered;
    const literal = numberLiteral(expr);
    if (literal !== undefined) return { kind: 'scalar', value: literal };
    return { kind: 'vector', samples: [] };
  }
}

/** URL parameters overlaid with a form-encoded POST body (body wins, as with Go's FormValue). */
async function formParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (req.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(await readBody(req));
    for (const key of new Set(form.keys())) params.delete(key);
    for (const [key, value] of form) params.append(key, value);
  }
  return params;
}
