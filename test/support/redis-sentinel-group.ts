import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '@eafix/sandbox/free-port';
import { startDaemon, type Daemon } from './daemon.ts';
import { eventually } from './eventually.ts';

/**
 * Redis as teams run it for failover: a master, a replica and three Sentinels (Debian's redis-server
 * and redis-sentinel), private to the test on free loopback ports, keeping nothing on disk.
 */
export interface SentinelGroup {
  name: string;
  /** `host:port` of each Sentinel, as REDIS_SENTINELS takes them. */
  sentinels: string[];
  /** The port of the master the Sentinels name now. */
  masterPort(): Promise<number>;
  /** A connection to the Redis on `port` (closed by stop()). */
  client(port: number): Redis;
  /** `SENTINEL FAILOVER`, resolved once the Sentinels name the replica as master and it acts as one. */
  failover(): Promise<{ from: number; to: number }>;
  stop(): Promise<void>;
}

const name = 'eafix';

async function answers(client: Redis, command: () => Promise<unknown>): Promise<boolean> {
  try {
    await command();
    return true;
  } catch {
    return false;
  }
}

export async function startSentinelGroup(): Promise<SentinelGroup> {
  const dir = await mkdtemp(join(tmpdir(), 'eafix-sentinel-'));
  const daemons: Daemon[] = [];
  const clients: Redis[] = [];
  const client = (port: number) => {
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };
  const server = async (port: number, extra: string[]) => {
    const probe = client(port);
    daemons.push(
      await startDaemon(
        'redis-server',
        // In the test's directory: a replica writes the master's snapshot to disk when it syncs.
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
        () => answers(probe, () => probe.ping()),
        `redis-server on ${port}`,
      ),
    );
    return probe;
  };
  try {
    const [masterPort, replicaPort] = [await freePort(), await freePort()];
    await server(masterPort, []);
    const replica = await server(replicaPort, ['--replicaof', '127.0.0.1', String(masterPort)]);
    await eventually(async () => (await replica.info('replication')).includes('master_link_status:up'), 'replication');
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const config = join(dir, `sentinel-${i}.conf`);
      // Sentinel rewrites its file with what it learns: one writable file each.
      await writeFile(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} 2000`,
          `sentinel failover-timeout ${name} 20000`,
          '',
        ].join('\n'),
      );
      const probe = client(port);
      daemons.push(
        await startDaemon(
          'redis-sentinel',
          [config],
          () => answers(probe, () => probe.call('SENTINEL', 'MASTER', name)),
          `redis-sentinel on ${port}`,
        ),
      );
      sentinelPorts.push(port);
    }
    const sentinel = clients.at(-1)!;
    const masterPortNow = async () =>
      Number(((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[])[1]);
    // A failover needs a replica the Sentinels know to be in sync.
    await eventually(async () => {
      const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', name)) as string[][];
      return replicas.some((fields) => fields.join(' ').includes('master-link-status ok'));
    }, 'the Sentinels to see the replica in sync');
    return {
      name,
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`),
      masterPort: masterPortNow,
      client,
      async failover() {
        const from = await masterPortNow();
        await sentinel.call('SENTINEL', 'FAILOVER', name);
        const to = await eventually(async () => {
          const now = await masterPortNow();
          return now !== from ? now : undefined;
        }, 'the Sentinels to name a new master');
        const promoted = client(to);
        await eventually(async () => (await promoted.info('replication')).includes('role:master'), 'the new master');
        return { from, to };
      },
      async stop() {
        for (const redis of clients) redis.disconnect();
        for (const daemon of daemons.reverse()) await daemon.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const redis of clients) redis.disconnect();
    for (const daemon of daemons.reverse()) await daemon.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
