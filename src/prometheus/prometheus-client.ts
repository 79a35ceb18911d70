import { AppError } from '../app-error.ts';
import type { Prometheus, RangeSeries, RangeWindow } from '../handlers/monitoring/kpi-readings.ts';

export interface PrometheusClientSettings {
  /** Base URL of the Prometheus HTTP API, e.g. http://prometheus.monitoring:9090. */
  url: string;
  /** Bound on each request; also sent as Prometheus's own query `timeout`. */
  timeoutMs: number;
  /** How long an answer several asks shared is served to later asks (default 250 ms). */
  sharedAnswerMs?: number;
  now?: () => number;
}

type Answer = { resultType: string; result: unknown };
interface Flight {
  answer: Promise<Answer>;
  /** Another ask joined while it was in flight. */
  shared: boolean;
}

type Undici = typeof import('undici');
type Dispatched = Awaited<ReturnType<Undici['request']>>;
let undici: Promise<Undici> | undefined;
const loadUndici = (): Promise<Undici> => (undici ??= import('undici'));

type ApiBody =
  | { status: 'success'; data: { resultType: string; result: unknown } }
  | { status: 'error'; errorType?: string; error?: string };

// Errors that are about the query, not about Prometheus being sick: retrying will not help.
const QUERY_ERRORS = new Set(['bad_data', 'execution']);

/** Go's float formatting: Prometheus sends "+Inf", "-Inf" and "NaN" as strings. */
function sampleValue(text: unknown): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** The Prometheus HTTP API (v1) over fetch, every call bounded, every failure an AppError. */
export class PrometheusHttpClient implements Prometheus {
  private readonly base: string;
  private readonly inFlight = new Map<string, Flight>();
  /** Shared answers, kept for `sharedAnswerMs`. */
  private readonly kept = new Map<string, { answer: Promise<Answer>; at: number }>();

  constructor(private readonly settings: PrometheusClientSettings) {
    this.base = settings.url.replace(/\/+$/, '');
  }

  get url(): string {
    return this.base;
  }

  async instant(query: string): Promise<number | undefined> {
    const { resultType, result } = await this.query(query);
    if (resultType === 'scalar') {
      const value = sampleValue((result as [number, string])[1]);
      return Number.isNaN(value) ? undefined : value;
    }
    if (resultType !== 'vector') {
      throw new AppError(
        'prometheus_unexpected_result',
        `Prometheus answered a ${resultType} for an instant KPI query; it must return one number.`,
      );
    }
    // Several series (one per instance, say): the worst of them, since every KPI here is "lower is better".
    const values = (result as Array<{ value: [number, string] }>)
      .map((s) => sampleValue(s.value[1]))
      .filter((v) => !Number.isNaN(v));
    return values.length ? Math.max(...values) : undefined;
  }

  async series(query: string): Promise<Array<{ labels: Record<string, string>; value: number }>> {
    const { resultType, result } = await this.query(query);
    if (resultType === 'scalar') return [{ labels: {}, value: sampleValue((result as [number, string])[1]) }];
    if (resultType !== 'vector') {
      throw new AppError(
        'prometheus_unexpected_result',
        `Prometheus answered a ${resultType}; ask for an instant vector or a scalar.`,
      );
    }
    return (result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => ({
      labels: s.metric,
      value: sampleValue(s.value[1]),
    }));
  }

  async range(query: string, window: RangeWindow): Promise<RangeSeries[]> {
    const { resultType, result } = await this.query(query, '/api/v1/query_range', {
      start: String(window.start.getTime() / 1000),
      end: String(window.end.getTime() / 1000),
      step: `${window.stepSeconds}s`,
    });
    if (resultType !== 'matrix') {
      throw new AppError('prometheus_unexpected_result', `Prometheus answered a ${resultType} for a range query.`);
    }
    return (result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map((s) => ({
      labels: s.metric,
      points: s.values
        .map(([at, text]) => ({ at: new Date(at * 1000), value: sampleValue(text) }))
        .filter((p) => Number.isFinite(p.value)),
    }));
  }

  /**
   * Identical queries asked while one is in flight share its answer (50 people typing `/eafix status` at
   * once cost Prometheus, and this process, one request per query, not 50). When an answer was shared, the
   * asks are coming faster than Prometheus answers: it is kept for `sharedAnswerMs` (a quarter second; the
   * data itself only changes on a scrape, every 15–30 s). An answer nobody shared is not kept, so a lone
   * ask always sees Prometheus as it is; failures are never kept.
   */
  private query(query: string, path = '/api/v1/query', extra: Record<string, string> = {}): Promise<Answer> {
    const timeout = `${Math.max(1, Math.floor(this.settings.timeoutMs / 1000))}s`;
    const form = new URLSearchParams({ query, timeout, ...extra }).toString();
    const key = `${path}?${form}`;
    const now = this.settings.now ?? Date.now;
    const keepMs = this.settings.sharedAnswerMs ?? 250;
    const kept = this.kept.get(key);
    if (kept && now() - kept.at < keepMs) return kept.answer;
    const current = this.inFlight.get(key);
    if (current) {
      current.shared = true;
      return current.answer;
    }
    const flight: Flight = { answer: this.post(path, form), shared: false };
    this.inFlight.set(key, flight);
    this.kept.delete(key);
    flight.answer.then(
      () => {
        this.inFlight.delete(key);
        if (!flight.shared) return;
        const at = now();
        // Queries that name a time window are new keys each time: drop what has expired.
        for (const [other, entry] of this.kept) if (at - entry.at >= keepMs) this.kept.delete(other);
        this.kept.set(key, { answer: flight.answer, at });
      },
      () => this.inFlight.delete(key),
    );
    return flight.answer;
  }

  private async post(path: string, form: string): Promise<Answer> {
    const response = await this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
    });
    const body = await this.json(response);
    if (body.status !== 'success') throw this.apiError(response.statusCode, body);
    return body.data;
  }

  async ready(): Promise<void> {
    const response = await this.request('/-/ready', { method: 'GET' });
    await response.body.dump();
    if (response.statusCode < 200 || response.statusCode > 299)
      throw new AppError(
        'prometheus_not_ready',
        `Prometheus at ${this.base} is not ready (HTTP ${response.statusCode}).`,
        { kind: 'upstream' },
      );
  }

  /**
   * undici's `request`, not `fetch`: fetch spends about 190 µs of CPU per query on WHATWG streams and
   * headers (measured), which under 50 concurrent `status` calls was most of what Prometheus cost us.
   * Loaded with the first query, so a process that never asks Prometheus never loads it.
   */
  private async request(
    path: string,
    options: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  ): Promise<Dispatched> {
    const { request } = await loadUndici();
    try {
      return await request(`${this.base}${path}`, { ...options, signal: AbortSignal.timeout(this.settings.timeoutMs) });
    } catch (error) {
      const { name, code } = error as { name?: string; code?: string };
      if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_ABORTED') {
        throw new AppError(
          'prometheus_timeout',
          `Prometheus at ${this.base} did not answer within ${this.settings.timeoutMs} ms.`,
          { kind: 'upstream', cause: error },
        );
      }
      throw new AppError('prometheus_unavailable', `Prometheus at ${this.base} could not be reached.`, {
        kind: 'upstream',
        cause: error,
      });
    }
  }

  private async json(response: Dispatched): Promise<ApiBody> {
    try {
      return (await response.body.json()) as ApiBody;
    } catch (error) {
      throw new AppError(
        'prometheus_unavailable',
        `Prometheus at ${this.base} answered HTTP ${response.statusCode} without a JSON body.`,
        { kind: 'upstream', cause: error },
      );
    }
  }

  private apiError(status: number, body: { errorType?: string; error?: string }): AppError {
    const type = body.errorType ?? 'unknown';
    if (QUERY_ERRORS.has(type)) {
      return new AppError(
        'prometheus_query_failed',
        `Prometheus rejected the query (${type}): ${body.error ?? 'no detail'}`,
      );
    }
    return new AppError(
      'prometheus_unavailable',
      `Prometheus failed the query (HTTP ${status}, ${type}): ${body.error ?? 'no detail'}`,
      { kind: 'upstream' },
    );
  }
}
