import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackEmulator, readBody, sendJson } from '../loopback-server.ts';
import { validateEvent } from './pagerduty-validate.ts';
import type { PagerDutyEventBody, PagerDutyPayload } from './pagerduty-validate.ts';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';
/** What an accepted event did to the incident state. */
export type EventOutcome = 'opened' | 'deduplicated' | 'acknowledged' | 'resolved' | 'ignored';

export interface PagerDutyEvent extends PagerDutyEventBody {
  /** As sent, or generated for a trigger that had none. */
  dedup_key: string;
  receivedAt: Date;
  outcome: EventOutcome;
}

export interface PagerDutyIncident {
  dedup_key: string;
  routing_key: string;
  status: IncidentStatus;
  payload: PagerDutyPayload;
  createdAt: Date;
  updatedAt: Date;
  /** Triggers folded into this incident, the opening one included. */
  alertCount: number;
  events: PagerDutyEvent[];
}

export interface PagerDutyRequestRecord {
  status: number;
  receivedAt: Date;
  /** Parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
}

export interface PagerDutyEmulatorOptions {
  /** Accepted routing keys; by default any well-formed 32-character key. */
  routingKeys?: string[];
  /** Accepted events per routing key per rolling minute before HTTP 429. */
  rateLimitPerMinute?: number;
  /** Clock in epoch milliseconds (timestamps and the rate-limit window). */
  now?: () => number;
}

export interface WaitForOptions {
  timeoutMs?: number;
}

const INVALID = { status: 'invalid event', message: 'Event object is invalid' } as const;
const THROTTLED = {
  status: 'throttle event',
  message: 'Requests for this service are arriving too quickly. Please retry later.',
} as const;

function describe(e: PagerDutyEvent): string {
  const summary = e.payload?.summary === undefined ? '' : ` "${e.payload.summary}"`;
  return `${e.event_action}(${e.dedup_key})${summary}`;
}

/** Wire-level emulator of the PagerDuty Events API v2 (`POST /v2/enqueue`). */
export class PagerDutyEmulator extends LoopbackEmulator<{ event: [PagerDutyEvent] }> {
  /** Every accepted event, in arrival order. */
  readonly events: PagerDutyEvent[] = [];
  /** Current incident per dedup_key (a re-trigger after resolve replaces it). */
  readonly incidents = new Map<string, PagerDutyIncident>();
  /** Every HTTP request to /v2/enqueue with the status answered, accepted or not. */
  readonly requests: PagerDutyRequestRecord[] = [];
  readonly #options: PagerDutyEmulatorOptions;
  readonly #now: () => number;
  readonly #failures: number[] = [];
  readonly #recent = new Map<string, number[]>();

  constructor(options: PagerDutyEmulatorOptions = {}) {
    super();
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Triggers that opened an incident, i.e. actually paged someone. */
  pages(): PagerDutyEvent[] {
    return this.events.filter((e) => e.outcome === 'opened');
  }

  /** The next `n` enqueue requests are answered with `status` and not processed. */
  failNext(n: number, status = 500): this {
    for (let i = 0; i < n; i++) this.#failures.push(status);
    return this;
  }

  reset(): void {
    this.events.length = 0;
    this.requests.length = 0;
    this.incidents.clear();
    this.#failures.length = 0;
    this.#recent.clear();
  }

  /** Resolve with the first event (already received or future) matching `predicate`. */
  waitFor(predicate: (e: PagerDutyEvent) => boolean, options: WaitForOptions = {}): Promise<PagerDutyEvent> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const existing = this.events.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onEvent = (e: PagerDutyEvent): void => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        this.off('event', onEvent);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.off('event', onEvent);
        const seen = this.events.map(describe).join(', ') || 'none';
        reject(
          new Error(`PagerDutyEmulator.waitFor: no matching event within ${timeoutMs}ms; events received: ${seen}`),
        );
      }, timeoutMs);
      this.on('event', onEvent);
    });
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.#enqueue(req, res).catch((err: unknown) => {
      sendJson(res, 500, { status: 'error', message: String(err) });
    });
  }

  async #enqueue(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/v2/enqueue') return sendJson(res, 404, { status: 'not found', message: 'Not Found' });
    if (req.method !== 'POST') return sendJson(res, 405, { status: 'error', message: 'Method Not Allowed' });
    const receivedAt = new Date(this.#now());
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const answer = (status: number, reply: unknown): void => {
      this.requests.push({ status, receivedAt, body });
      sendJson(res, status, reply);
    };
    const failure = this.#failures.shift();
    if (failure !== undefined) {
      return answer(failure, failure === 429 ? THROTTLED : { status: 'error', message: 'Injected failure' });
    }
    if (typeof body === 'string') return answer(400, { ...INVALID, errors: ['Could not parse request body as JSON'] });
    const errors = validateEvent(body);
    const event = body as PagerDutyEventBody;
    if (errors.length === 0 && !this.#knownKey(event.routing_key)) errors.push('Invalid routing key');
    if (errors.length > 0) return answer(400, { ...INVALID, errors });
    if (this.#throttled(event.routing_key, receivedAt.getTime())) return answer(429, THROTTLED);
    const dedupKey = event.dedup_key?.trim() ? event.dedup_key : randomUUID().replaceAll('-', '');
    const accepted: PagerDutyEvent = { ...event, dedup_key: dedupKey, receivedAt, outcome: 'ignored' };
    accepted.outcome = this.#apply(accepted);
    this.events.push(accepted);
    answer(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    this.emit('event', accepted);
  }

  #knownKey(key: string): boolean {
    return this.#options.routingKeys === undefined || this.#options.routingKeys.includes(key);
  }

  #throttled(key: string, nowMs: number): boolean {
    const limit = this.#options.rateLimitPerMinute;
    if (limit === undefined) return false;
    const recent = (this.#recent.get(key) ?? []).filter((t) => t > nowMs - 60_000);
    const throttled = recent.length >= limit;
    if (!throttled) recent.push(nowMs);
    this.#recent.set(key, recent);
    return throttled;
  }

  /** Apply PagerDuty's deduplication rules; returns what the event did. */
  #apply(e: PagerDutyEvent): EventOutcome {
    const incident = this.incidents.get(e.dedup_key);
    const open = incident !== undefined && incident.status !== 'resolved';
    if (e.event_action === 'trigger') {
      if (open) {
        incident.alertCount++;
        incident.events.push(e);
        incident.updatedAt = e.receivedAt;
        return 'deduplicated';
      }
      // A resolved incident's key opens a fresh incident, as PagerDuty does.
      this.incidents.set(e.dedup_key, {
        dedup_key: e.dedup_key,
        routing_key: e.routing_key,
        status: 'triggered',
        payload: e.payload as PagerDutyPayload,
        createdAt: e.receivedAt,
        updatedAt: e.receivedAt,
        alertCount: 1,
        events: [e],
      });
      return 'opened';
    }
    const target: IncidentStatus = e.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
    if (!open || incident.status === target) return 'ignored';
    incident.status = target;
    incident.events.push(e);
    incident.updatedAt = e.receivedAt;
    return target;
  }
}
