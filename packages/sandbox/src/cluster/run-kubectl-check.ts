/**
 * `scripts/kubectl-check.sh`: starts a cluster simulator over HTTPS with a bearer token, runs the
 * real kubectl against it (see kubectl-check.ts) and exits non-zero when any command differs.
 */
import { ClusterSimulator } from './cluster-simulator.ts';
import { defaultTopology } from './default-topology.ts';
import { formatOutcomes, runKubectlChecks } from './kubectl-check.ts';

const sim = new ClusterSimulator({
  topology: defaultTopology(),
  token: 'sandbox-token',
  tls: true,
  timing: { podStartMs: 200, podReadyMs: 400, tickMs: 50 },
});
await sim.start();
try {
  const outcomes = await runKubectlChecks(sim, process.env.KUBECTL ?? 'kubectl');
  console.log(formatOutcomes(outcomes));
  process.exitCode = outcomes.every((o) => o.ok) ? 0 : 1;
} finally {
  await sim.stop();
}
