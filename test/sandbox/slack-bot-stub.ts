import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Verified with our own HMAC computation, independent of the driver's signing code. */
  signatureValid: boolean;
  /** Slash-command fields, or the decoded `payload` of an interaction, or the JSON event envelope. */
  body: Record<string, unknown>;
}

export interface StubReply {
  status?: number;
  body?: unknown;
}

/** A tiny node:http stand-in for the bot's /slack/events endpoint. */
export class BotStub {
  readonly received: ReceivedRequest[] = [];
  reply: (req: ReceivedRequest) => StubReply = () => ({ status: 200 });
  private server: Server | undefined;
  url = '';

  constructor(private readonly signingSecret: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const ts = String(req.headers['x-slack-request-timestamp']);
        const expected = `v0=${createHmac('sha256', this.signingSecret).update(`v0:${ts}:${rawBody}`).digest('hex')}`;
        const type = req.headers['content-type'] ?? '';
        let body: Record<string, unknown>;
        if (type.startsWith('application/json')) body = JSON.parse(rawBody) as Record<string, unknown>;
        else {
          const form = Object.fromEntries(new URLSearchParams(rawBody));
          body = form.payload ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
        }
        const received = {
          headers: req.headers,
          rawBody,
          signatureValid: req.headers['x-slack-signature'] === expected,
          body,
        };
        this.received.push(received);
        const reply = this.reply(received);
        const payload =
          reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(
          reply.status ?? 200,
          typeof reply.body === 'object' ? { 'content-type': 'application/json' } : {},
        );
        res.end(payload);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`;
  }

  last(): ReceivedRequest {
    const last = this.received.at(-1);
    if (!last) throw new Error('bot stub received nothing');
    return last;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
