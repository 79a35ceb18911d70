import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRequests } from '../../src/cluster/kube-request.ts';
import { createLogger } from '../../src/logger.ts';

const CREATED = '2026-11-30T10:00:00Z';
let server: Server;
let core: CoreV1Api;
let requests: KubeRequests;
let served = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    served += 1;
    if (req.url?.includes('/pods/gone')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'gone' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Pod',
        metadata: { name: 'web-1', creationTimestamp: CREATED, labels: { app: 'web' } },
        status: { phase: 'Running' },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  core = kc.makeApiClient(CoreV1Api);
  requests = new KubeRequests(url, 5_000, createLogger({ level: 'silent' }));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const op = { verb: 'get', resource: 'pods', namespace: 'ns', name: 'web-1' } as const;

describe('KubeRequests.readAsSent', () => {
  it('answers with the body as the server sent it, where run answers with client-node models', async () => {
    const sent = await requests.readAsSent(op, (o) => core.readNamespacedPod({ name: 'web-1', namespace: 'ns' }, o));
    expect(sent).toEqual({
      kind: 'Pod',
      metadata: { name: 'web-1', creationTimestamp: CREATED, labels: { app: 'web' } },
      status: { phase: 'Running' },
    });
    const model = await requests.run(op, (o) => core.readNamespacedPod({ name: 'web-1', namespace: 'ns' }, o));
    expect(model.metadata?.creationTimestamp).toEqual(new Date(CREATED));
  });

  it('leaves errors to client-node: a 404 is the same AppError as from run, and not retried', async () => {
    const gone = { ...op, name: 'gone' };
    const read = (o: Parameters<typeof core.readNamespacedPod>[1]) =>
      core.readNamespacedPod({ name: 'gone', namespace: 'ns' }, o);
    const before = served;
    const fromRun = await requests.run(gone, read).catch((e: unknown) => e);
    const fromSent = await requests.readAsSent(gone, read).catch((e: unknown) => e);
    const { code, kind } = fromRun as { code: string; kind: string };
    expect(code).toBe('cluster_not_found');
    expect(fromSent).toMatchObject({ code, kind });
    expect((fromSent as Error).message).toBe((fromRun as Error).message);
    expect(served - before).toBe(2);
  });
});
