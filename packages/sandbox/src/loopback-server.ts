import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A loopback HTTP listener that emulators can take down and bring back on the same port,
 * so clients see real connection errors (ECONNREFUSED / reset) rather than HTTP failures.
 */
export class LoopbackServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  // Pending delays resolve `false` when the server goes down so handlers stop quietly.
  readonly #delays = new Map<NodeJS.Timeout, (fired: boolean) => void>();
  #port: number | undefined;
  #stopped = false;

  constructor(handler: RequestHandler) {
    this.#server = createServer(handler);
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  get url(): string {
    if (this.#port === undefined) throw new Error('emulator not started');
    return `http://127.0.0.1:${this.#port}`;
  }

  get isUp(): boolean {
    return this.#server.listening;
  }

  async start(port = 0): Promise<void> {
    if (this.#port !== undefined || this.#stopped) throw new Error('emulator already started');
    await this.#listen(port);
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** Close the listener and drop every open connection; the port is kept for comeUp(). */
  async goDown(): Promise<void> {
    await this.#close();
  }

  async comeUp(): Promise<void> {
    if (this.#port === undefined || this.#stopped) throw new Error('emulator not started');
    if (!this.#server.listening) await this.#listen(this.#port);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#close();
  }

  /** Wait `ms`; resolves false instead if the server goes down meanwhile. */
  delay(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(this.#server.listening);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#delays.delete(timer);
        resolve(true);
      }, ms);
      this.#delays.set(timer, resolve);
    });
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
  }

  #close(): Promise<void> {
    for (const [timer, resolve] of this.#delays) {
      clearTimeout(timer);
      resolve(false);
    }
    this.#delays.clear();
    return new Promise((resolve) => {
      if (this.#server.listening) this.#server.close(() => resolve());
      else resolve();
      // close() waits for open connections; destroying them keeps stop() from hanging.
      for (const socket of this.#sockets) socket.destroy();
      this.#sockets.clear();
    });
  }
}

/** Read a request body, refusing anything larger than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = 1_048_576): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new Error(`request body exceeds ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}

export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Base for the small HTTP emulators: lifecycle and up/down switching over one LoopbackServer. */
export abstract class LoopbackEmulator<
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Events extends Record<keyof Events, any[]> = Record<string, any[]>,
> extends EventEmitter<Events> {
  protected readonly server: LoopbackServer;

  constructor() {
    super();
    this.server = new LoopbackServer((req, res) => this.handle(req, res));
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;

  /** Base URL of the emulator on loopback. */
  get url(): string {
    return this.server.url;
  }

  get isUp(): boolean {
    return this.server.isUp;
  }

  start(port = 0): Promise<void> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Refuse connections (listener closed, open sockets destroyed) until comeUp(). */
  goDown(): Promise<void> {
    return this.server.goDown();
  }

  comeUp(): Promise<void> {
    return this.server.comeUp();
  }
}
