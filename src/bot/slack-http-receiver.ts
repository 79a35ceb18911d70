import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { withRequestId, type Logger } from '../logger.ts';
import { verifySlackSignature } from './verify-signature.ts';
import { jsonBytes } from '../frozen.ts';
import type { InboundGate } from './inbound-gate.ts';

const MAX_BODY_BYTES = 1024 * 1024;
/** Slack gives up after 3 s; answer just before so the user sees our reply, not a timeout. */
const ACK_DEADLINE_MS = 2_900;
/**
 * On stop, how long requests being handled (acknowledged ones still answering) may take to finish:
 * inside the 5 s each shutdown step gets, so a rolling update does not swallow a reply.
 */
const DRAIN_MS = 4_000;

export interface ReceiverOptions {
  signingSecret: string;
  port: number;
  host?: string;
  logger: Logger;
  /** Shape, installation, replay and text checks between the signature and Bolt's routing. */
  gate?: InboundGate;
  readiness: () => Promise<Record<string, 'ok' | string>>;
  now?: () => number;
  /** More endpoints on this port (/metrics, /admin/queues), matched by path prefix before the 404. */
  routes?: readonly HttpRoute[];
  /** Told when a Slack request is acknowledged, with how long it took since it arrived. */
  onAck?: (body: Record<string, unknown>, seconds: number) => void;
}

export interface HttpRoute {
  /** `/metrics` matches `/metrics` and `/metrics/...`. */
  prefix: string;
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
}

/** `req_` and 12 random hex digits: a UUID's first 48 random bits (UUIDs draw from a pooled buffer, unlike randomBytes). */
export const newRequestId = (): string => {
  const uuid = randomUUID();
  return `req_${uuid.slice(0, 8)}${uuid.slice(9, 13)}`;
};

/**
 * Bolt receiver for POST /slack/events (commands, interactivity, events) plus GET /healthz and /readyz.
 * It verifies signatures itself (refusing future timestamps too), tags each request with an id that
 * follows the work into logs, audit rows and jobs, passes each request through the gate (one delivery,
 * one installation, a known shape) and acknowledges at once whatever no listener acknowledged.
 */
export class SlackHttpReceiver implements Receiver {
  private app?: App;
  private server?: Server;
  /** Requests still being handled, listeners included after their ack (the sandbox waits for zero). */
  inFlight = 0;
  private readonly handling = new Set<Promise<void>>();

  constructor(private readonly options: ReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.port;
  }

  async start(): Promise<Server> {
    const server = createServer((req, res) => {
      this.inFlight += 1;
      const handled: Promise<void> = this.route(req, res).finally(() => {
        this.inFlight -= 1;
        this.handling.delete(handled);
      });
      this.handling.add(handled);
    });
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve());
    });
    return server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    // No new connections, idle keep-alive ones closed; what is being handled finishes (bounded) first.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.handling]),
      new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS))),
    ]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'GET' && path === '/healthz') return send(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/readyz') return await this.ready(res);
      // Without a gate (worker role) nothing Slack sends is taken.
      const gate = this.options.gate;
      if (req.method === 'POST' && path === '/slack/events' && this.app && gate)
        return await this.slackRequest(req, res, gate);
      const route = this.options.routes?.find((r) => path === r.prefix || path?.startsWith(`${r.prefix}/`));
      if (route) return await route.handle(req, res);
      send(res, 404, { error: 'not_found' });
    } catch (err) {
      this.options.logger.error({ err, path }, 'request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
    }
  }

  private async ready(res: ServerResponse): Promise<void> {
    const checks = await this.options.readiness();
    const ok = Object.values(checks).every((v) => v === 'ok');
    send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks });
  }

  private async slackRequest(req: IncomingMessage, res: ServerResponse, gate: InboundGate): Promise<void> {
    const arrived = performance.now();
    const rawBody = await readBody(req);
    if (rawBody === undefined) return send(res, 413, { error: 'body_too_large' });
    const requestId = newRequestId();
    const logger = withRequestId(this.options.logger, requestId);
    const failure = verifySlackSignature({
      signingSecret: this.options.signingSecret,
      rawBody,
      timestampHeader: header(req, 'x-slack-request-timestamp'),
      signatureHeader: header(req, 'x-slack-signature'),
      nowSeconds: Math.floor((this.options.now?.() ?? Date.now()) / 1000),
    });
    const retryNum = Number(header(req, 'x-slack-retry-num') ?? 0) || undefined;
    const signedAtMs = Number(header(req, 'x-slack-request-timestamp')) * 1000;
    const meta = {
      requestId,
      logger,
      retryNum,
      ip: req.socket.remoteAddress,
      ...(Number.isFinite(signedAtMs) ? { signedAtMs } : {}),
    };
    if (failure) {
      // Logged (warn) and audited by the gate, sampled: a flood of unsigned requests costs its sender nothing.
      logger.debug({ failure, ip: req.socket.remoteAddress }, 'refused unsigned or stale Slack request');
      await gate.refuseSignature(failure, meta);
      return send(res, 401, { error: 'invalid_signature' });
    }
    const body = parseBody(rawBody, header(req, 'content-type') ?? '');
    if (!body) return send(res, 400, { error: 'unparseable_body' });
    if (body.type === 'url_verification') return send(res, 200, { challenge: body.challenge });

    const verdict = await gate.admit(body, meta);
    if (!verdict.admit) return send(res, verdict.status, verdict.body, verdict.headers);

    let acked = false;
    const observeAck = () => this.options.onAck?.(body, (performance.now() - arrived) / 1000);
    const deadline = setTimeout(() => {
      if (acked) return;
      acked = true;
      observeAck();
      logger.error('no acknowledgement within the deadline; acknowledging empty');
      send(res, 200, '');
    }, ACK_DEADLINE_MS);
    const event: ReceiverEvent = {
      body,
      retryNum,
      retryReason: header(req, 'x-slack-retry-reason'),
      customProperties: {
        requestId,
        requestLogger: logger,
        replayUnverified: verdict.replayUnverified,
        // Slack's 3 s run from here: listeners with a reply budget count it from the arrival, not from their start.
        receivedAt: arrived,
      },
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        clearTimeout(deadline);
        observeAck();
        if (response === undefined || response === '') send(res, 200, '');
        else send(res, 200, response);
      },
    };
    try {
      await this.app?.processEvent(event);
    } catch (err) {
      logger.error({ err }, 'unhandled error while processing a Slack request');
    }
    // Bolt has run every matching listener; a request none of them acknowledged (an action or type
    // nobody listens for) is acknowledged now, not when the safety-net timer fires.
    if (!acked) await event.ack();
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : jsonBytes(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(status, { 'content-type': type, 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

/** The body as text, or undefined past the size limit (plain events: an async iterator per request costs more). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      // Answered at once (413); the rest is read and dropped.
      else resolve(undefined);
    });
    req.once('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks, size).toString('utf8')));
    req.once('error', reject);
  });
}

function parseBody(raw: string, contentType: string): Record<string, unknown> | undefined {
  try {
    if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
    return form;
  } catch {
    return undefined;
  }
}
