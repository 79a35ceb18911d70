/** Plays scripts/kubectl-check.sh: the real kubectl against the simulator over HTTPS with a token. */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSimulator, defaultTopology } from '@eafix/sandbox/cluster';
import { formatOutcomes, runKubectlChecks } from '@eafix/sandbox/cluster/kubectl-check';

const kubectl = process.env.KUBECTL ?? 'kubectl';
let sim: ClusterSimulator;
beforeAll(async () => {
  sim = new ClusterSimulator({
    topology: defaultTopology(),
    environments: ['production'],
    token: 'sandbox-token',
    tls: true,
    timing: { podStartMs: 100, podReadyMs: 200, tickMs: 25 },
  });
  await sim.start();
});
afterAll(async () => {
  await sim.stop();
});

describe('kubectl against the simulated cluster', () => {
  it('kubectl is installed (set KUBECTL to use another binary)', () => {
    expect(execFileSync(kubectl, ['version', '--client'], { encoding: 'utf8' })).toMatch(/Client Version: v1\.\d+/);
  });

  it('every command exits and prints as against a real API server', { timeout: 240_000 }, async () => {
    const outcomes = await runKubectlChecks(sim, kubectl);
    const report = formatOutcomes(outcomes);
    expect(
      outcomes.filter((o) => !o.ok).map((o) => o.check.name),
      report,
    ).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(20);
    // kubectl sent the bearer token over TLS on every API request.
    expect(
      sim.requests
        .filter((r) => r.path.startsWith('/api'))
        .every((r) => r.headers.authorization === 'Bearer <redacted>'),
    ).toBe(true);
  });
});
