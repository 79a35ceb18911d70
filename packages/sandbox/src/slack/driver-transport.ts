import { signSlackRequest } from './signing.ts';

export interface DriverResponse {
  status: number;
  /** Parsed JSON when the response is JSON, else the raw text ('' for an empty ack). */
  body: unknown;
  headers: Record<string, string>;
  durationMs: number;
}

export interface RawPostOptions {
  body: string;
  contentType?: string;
  /** Unix seconds; defaults to now. Pass a stale/future value to test replay protection; null omits the header. */
  timestamp?: number | string | null;
  /** Defaults to a correct signature; pass a forged value, or null to omit the header. */
  signature?: string | null;
  headers?: Record<string, string>;
}

/** A request exactly as it went out: what a replay sends again. */
export interface SentRequest {
  body: string;
  headers: Record<string, string>;
}

/** Signs and POSTs requests to the bot exactly as Slack's delivery service does. */
export class SignedTransport {
  lastRequest: SentRequest | undefined;

  constructor(
    private readonly requestUrl: string,
    private readonly signingSecret: string,
    private readonly now: () => number,
  ) {}

  async post(options: RawPostOptions): Promise<DriverResponse> {
    const timestamp = options.timestamp === undefined ? Math.floor(this.now() / 1000) : options.timestamp;
    const headers: Record<string, string> = {
      'content-type': options.contentType ?? 'application/json',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...options.headers,
    };
    if (timestamp !== null) headers['x-slack-request-timestamp'] = String(timestamp);
    const signature =
      options.signature === undefined
        ? signSlackRequest(this.signingSecret, timestamp ?? '', options.body)
        : options.signature;
    if (signature !== null) headers['x-slack-signature'] = signature;
    this.lastRequest = { body: options.body, headers };
    return this.resend(this.lastRequest);
  }

  /** POSTs a request as it is, headers and all. */
  async resend(request: SentRequest): Promise<DriverResponse> {
    const started = performance.now();
    const res = await fetch(this.requestUrl, { method: 'POST', headers: request.headers, body: request.body });
    const text = await res.text();
    const durationMs = performance.now() - started;
    const type = res.headers.get('content-type') ?? '';
    let body: unknown = text;
    if (text && (type.includes('json') || /^\s*[[{]/.test(text))) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.status, body, headers: Object.fromEntries(res.headers.entries()), durationMs };
  }

  postForm(fields: Record<string, string>, extra: Partial<RawPostOptions> = {}): Promise<DriverResponse> {
    return this.post({
      ...extra,
      body: new URLSearchParams(fields).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
  }

  postJson(payload: unknown, extra: Partial<RawPostOptions> = {}): Promise<DriverResponse> {
    return this.post({ ...extra, body: JSON.stringify(payload), contentType: 'application/json' });
  }
}
