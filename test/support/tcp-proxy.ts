import { createServer, connect, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy a test can cut, to take a real service "down" for the bot alone. */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private mode: 'open' | 'refuse' | 'black-hole' = 'open';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.mode === 'refuse') return client.destroy();
      this.track(client);
      // Black-holed: the connection is accepted, and nothing ever comes back.
      if (this.mode === 'black-hole') return;
      const upstream = connect(this.target.port, this.target.host);
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      // A side that goes away takes the other with it: a killed client's session must end at the server
      // too, or its locks outlive it (and a teardown's DROP SCHEMA waits on them).
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  /** Drops every open connection and refuses new ones. */
  cut(): void {
    this.mode = 'refuse';
    for (const s of this.sockets) s.destroy();
  }

  /**
   * Packets vanish: open connections stop carrying data either way and new ones are accepted but never
   * answered. Nobody is told; only timeouts notice.
   */
  blackHole(): void {
    this.mode = 'black-hole';
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  /**
   * Accepts and forwards again. Connections that lived through a black hole are reset, as the peer
   * gave up on them meanwhile: clients see the error when the network returns.
   */
  restore(): void {
    if (this.mode === 'black-hole') for (const s of this.sockets) s.destroy();
    this.mode = 'open';
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
