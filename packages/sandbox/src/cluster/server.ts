/**
 * The HTTP front: loopback listener, bearer-token check, impersonation,
 * injected latency/errors, request recording, and the up/down switch used to
 * simulate an unreachable cluster.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_GROUPS, DEFAULT_USER, type Identity } from './access.ts';
import type { Failures } from './failures.ts';
import { sendJson, type RequestContext } from './routes/context.ts';
import type { ApiDeps } from './routes/deps.ts';
import { route } from './routes/router.ts';
import { ApiError } from './status.ts';
import type { ClusterTls } from './tls.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  headers: {
    authorization?: string;
    impersonateUser?: string;
    impersonateGroups?: string[];
    userAgent?: string;
    accept?: string;
  };
  /** The effective caller: the impersonated user when present. */
  user: string;
  groups: string[];
  /** HTTP status; 0 while the request is still being handled. */
  status: number;
  at: number;
}

export interface RecordedWrite extends RecordedRequest {
  /** The parsed request body (the patch document for PATCH), or the raw text when not JSON. */
  body: unknown;
}

export type DownMode = 'refuse' | 'drop';

const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly writes: RecordedWrite[] = [];
  private server: Server | undefined;
  private port = 0;
  private down: DownMode | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly deps: ApiDeps,
    private readonly failures: Failures,
    private readonly token: string | undefined,
    /** Serve HTTPS with this certificate (signed by its CA) instead of plain HTTP. */
    private readonly tls?: ClusterTls,
  ) {}

  get url(): string {
    if (!this.port) throw new Error('cluster simulator is not started');
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    if (this.server) throw new Error('cluster simulator is already started');
    this.server = await this.listen(port);
    this.port = (this.server.address() as AddressInfo).port;
  }

  private listen(port: number): Promise<Server> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server: Server = this.tls
      ? createTlsServer({ key: this.tls.keyPem, cert: this.tls.certPem }, handler)
      : createServer(handler);
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket) => {
      if (this.down === 'drop') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  /** Ends watches, wakes delayed requests, closes every socket, stops listening. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropEverything();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private dropEverything(): void {
    for (const res of this.deps.watches) res.end();
    this.deps.watches.clear();
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    this.server?.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** 'refuse': stop listening (ECONNREFUSED). 'drop': accept then reset every connection. */
  async goDown(mode: DownMode = 'refuse'): Promise<void> {
    this.down = mode;
    this.dropEverything();
    if (mode === 'refuse' && this.server?.listening) {
      const server = this.server;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async comeUp(): Promise<void> {
    const wasRefusing = this.down === 'refuse';
    this.down = undefined;
    if (wasRefusing && this.server && !this.server.listening) this.server = await this.listen(this.port);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /**
   * The effective caller. Like Kubernetes, each `Impersonate-Group` header line is one group (never
   * split on commas), the impersonated user gets `system:authenticated`, and groups without a user
   * are an error (answered in `handle`).
   */
  private identity(req: IncomingMessage): Identity {
    const user = req.headersDistinct['impersonate-user']?.[0];
    const groups = req.headersDistinct['impersonate-group'] ?? [];
    if (user) return { user, groups: [...groups, 'system:authenticated'], impersonatedBy: DEFAULT_USER };
    return { user: DEFAULT_USER, groups: DEFAULT_GROUPS };
  }

  /** The API server's impersonation filter: malformed headers are a 500, missing rights a 403. */
  private impersonationError(req: IncomingMessage, identity: Identity): ApiError | undefined {
    const groups = req.headersDistinct['impersonate-group'] ?? [];
    if (!identity.impersonatedBy) {
      if (groups.length === 0) return undefined;
      const requested = groups.map((g) => `{Group  ${g}  authentication.k8s.io/v1  }`).join(' ');
      return new ApiError(
        500,
        'InternalError',
        `Internal error occurred: requested [${requested}] without impersonating a user`,
      );
    }
    return this.deps.access.impersonationForbidden(
      { user: DEFAULT_USER, groups: DEFAULT_GROUPS },
      { user: identity.user, groups },
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const identity = this.identity(req);
    const auth = req.headers.authorization;
    const entry: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(contentType ? { contentType } : {}),
      headers: {
        ...(auth ? { authorization: auth.startsWith('Bearer ') ? 'Bearer <redacted>' : '<redacted>' } : {}),
        ...(req.headers['impersonate-user'] ? { impersonateUser: identity.user } : {}),
        ...(req.headersDistinct['impersonate-group']
          ? { impersonateGroups: req.headersDistinct['impersonate-group'] }
          : {}),
        ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
        ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      },
      user: identity.user,
      groups: identity.groups,
      status: 0,
      at: this.deps.clock(),
    };
    this.requests.push(entry);
    const records: { status: number }[] = [entry];
    if (MUTATING.has(method)) {
      let body: unknown = rawBody;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        // keep the raw text: the handler will answer 400
      }
      const write: RecordedWrite = { ...entry, body };
      this.writes.push(write);
      records.push(write);
    }
    const settle = () => records.forEach((r) => (r.status = res.statusCode));
    res.on('finish', settle);

    const ctx: RequestContext = {
      req,
      res,
      method,
      path: url.pathname,
      query: url.searchParams,
      contentType,
      rawBody,
      identity,
    };
    try {
      const delay = this.failures.latencyFor(url.pathname);
      if (delay > 0) await this.sleep(delay);
      if (res.destroyed) return;
      if (this.token !== undefined && !PUBLIC_PATHS.has(url.pathname) && auth !== `Bearer ${this.token}`) {
        throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      }
      const impersonation = this.impersonationError(req, identity);
      if (impersonation) throw impersonation;
      const injected = this.failures.takeApiError(method, url.pathname);
      if (injected) throw injected;
      this.failures.runHook(method, url.pathname);
      if (this.failures.takeLostAnswer(method, url.pathname)) {
        // Handle the request for real, then cut the connection instead of answering.
        res.end = (() => {
          req.socket.destroy();
          return res;
        }) as typeof res.end;
      }
      route(ctx, this.deps);
    } catch (err) {
      const apiErr =
        err instanceof ApiError
          ? err
          : new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
      const retryAfter = apiErr.details?.retryAfterSeconds;
      sendJson(
        res,
        apiErr.code,
        apiErr.toStatus(),
        retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {},
      );
    }
    // Watches stay open; record their status as soon as the head is sent.
    if (res.headersSent) settle();
  }
}
