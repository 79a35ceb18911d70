import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlackApiError } from './api-error.ts';
import type { FailureInjector } from './failure-injection.ts';
import { parseArgs, readBody, sendJson, sendText, uploadedBytes } from './http-body.ts';
import { METHODS } from './methods/index.ts';
import { METHOD_TIERS } from './rate-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { handleResponseUrl } from './response-url.ts';
import type { SlackState } from './state.ts';
import type { ApiCallRecord, Json } from './types.ts';

export interface HttpDeps {
  state: SlackState;
  limiter: RateLimiter;
  failures: FailureInjector;
  botToken: string;
  triggerTtlMs: number;
  baseUrl: () => string;
  scopes: () => readonly string[];
}

/**
 * The emulator's HTTP surface: /api/<method> (Web API), /upload/<file_id> (files v2 upload URLs),
 * /response/<token> (response_url) and /files/<id> (url_private downloads).
 */
export class EmulatorHttp {
  constructor(private readonly deps: HttpDeps) {}

  async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.deps.baseUrl());
    const body = await readBody(req);
    const [, section, ...rest] = url.pathname.split('/');
    const tail = rest.join('/');
    if (section === 'api' && tail) return this.api(req, res, tail, body, url);
    if (section === 'upload' && req.method === 'POST') return this.upload(req, res, tail, body);
    if (section === 'response' && req.method === 'POST') return this.responseUrl(res, decodeURIComponent(tail), body);
    if (section === 'files' && req.method === 'GET') return this.download(req, res, rest[0] ?? '');
    sendText(res, 404, 'not_found');
  }

  private bearer(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization;
    return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  }

  private record(method: string, args: Json, status: number, result: Json): void {
    const { token: _token, ...safe } = args;
    const entry: ApiCallRecord = { method, args: safe, ok: result.ok === true, status, at: this.deps.state.now() };
    if (typeof result.error === 'string') entry.error = result.error;
    this.deps.state.calls.push(entry);
    this.deps.state.changed(`call ${method} ${entry.ok ? 'ok' : (entry.error ?? 'error')}`);
  }

  private async api(req: IncomingMessage, res: ServerResponse, method: string, body: Buffer, url: URL): Promise<void> {
    const { state, limiter, botToken, triggerTtlMs } = this.deps;
    let parsed;
    try {
      parsed = await parseArgs(req, body, url);
    } catch {
      const result = { ok: false, error: 'invalid_form_data' };
      this.record(method, {}, 200, result);
      return sendJson(res, 200, result);
    }
    const { args, isJson } = parsed;
    const reply = (status: number, result: Json, headers: Record<string, string> = {}): void => {
      this.record(method, args, status, result);
      sendJson(res, status, result, headers);
    };
    const handler = METHODS[method];
    if (!handler) return reply(200, { ok: false, error: 'unknown_method', req_method: method });
    // JSON bodies must carry the token in the Authorization header; forms may use a `token` field.
    const token = this.bearer(req) ?? (!isJson && typeof args.token === 'string' ? args.token : undefined);
    if (!token) return reply(200, { ok: false, error: 'not_authed' });
    if (token !== botToken) return reply(200, { ok: false, error: 'invalid_auth' });
    // files.completeUploadExternal names its channel `channel_id`.
    const named = typeof args.channel === 'string' ? args.channel : args.channel_id;
    const channelRef = typeof named === 'string' ? (state.channelByRef(named)?.id ?? named) : undefined;
    const failure = this.deps.failures.take(method, channelRef);
    if (failure?.kind === 'http-5xx') {
      this.record(method, args, failure.status ?? 503, { ok: false, error: 'http_error' });
      return sendText(res, failure.status ?? 503, 'Service Unavailable');
    }
    if (failure?.kind === 'ratelimited')
      return reply(
        429,
        { ok: false, error: 'ratelimited' },
        { 'retry-after': String(failure.retryAfterSeconds ?? 30) },
      );
    if (failure?.kind === 'internal_error') return reply(200, { ok: false, error: 'internal_error' });
    if (failure?.kind === 'reset') {
      this.record(method, args, 0, { ok: false, error: 'connection_reset' });
      res.socket?.destroy();
      return;
    }
    if (failure?.kind === 'stall') await failure.until?.catch(() => undefined);
    const retryAfter = limiter.check(method, METHOD_TIERS[method], channelRef);
    if (retryAfter !== undefined) {
      return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
    }
    const scopes = { 'x-oauth-scopes': this.deps.scopes().join(',') };
    try {
      const result = await handler({ state, args, baseUrl: this.deps.baseUrl(), triggerTtlMs });
      if (failure?.kind === 'lost-answer') {
        // Done on Slack's side; the caller only sees its connection drop.
        this.record(method, args, 0, { ok: true, lost: true });
        res.socket?.destroy();
        return;
      }
      reply(200, { ok: true, ...result }, scopes);
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      reply(200, { ok: false, error: error.error, ...error.extra });
    }
  }

  private async upload(req: IncomingMessage, res: ServerResponse, fileId: string, body: Buffer): Promise<void> {
    const file = this.deps.state.files.get(fileId);
    if (!file || file.completed) return sendText(res, 404, 'file_not_found');
    const bytes = await uploadedBytes(req, body);
    file.content = bytes;
    file.size = bytes.length;
    this.record('upload', { file_id: fileId }, 200, { ok: true });
    sendText(res, 200, `OK - ${bytes.length}`);
  }

  private responseUrl(res: ServerResponse, token: string, body: Buffer): void {
    let payload: Json;
    try {
      payload = JSON.parse(body.toString('utf8') || '{}') as Json;
    } catch {
      return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    }
    const result = handleResponseUrl(this.deps.state, token, payload);
    this.record('response_url', payload, result.status, result.body);
    sendJson(res, result.status, result.body);
  }

  private download(req: IncomingMessage, res: ServerResponse, fileId: string): void {
    if (this.bearer(req) !== this.deps.botToken) return sendText(res, 403, 'invalid_auth');
    const file = this.deps.state.files.get(fileId);
    if (!file?.content) return sendText(res, 404, 'file_not_found');
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': file.content.length });
    res.end(file.content);
  }
}
