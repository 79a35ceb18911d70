/**
 * Drives the real `kubectl` against a cluster simulator (HTTPS, CA and bearer token from its
 * kubeconfig) and compares each command's exit code and key output with what kubectl prints against
 * a real API server. Used by `scripts/kubectl-check.sh` and by a test. Commands are argument lists
 * run without a shell.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterSimulator } from './cluster-simulator.ts';
import { VELERO_BACKUP_YAML, workloadChecks } from './kubectl-check-workloads.ts';

export interface KubectlCheck {
  name: string;
  args: string[];
  /** Expected exit code (kubectl: 0 success, 1 error or `auth can-i` "no"). */
  exitCode: number;
  /** Every pattern must match stdout + stderr. */
  expect: RegExp[];
  /** No pattern may match. */
  reject?: RegExp[];
  /** Runs before the command (e.g. an access rule), against the simulator. */
  before?: (sim: ClusterSimulator) => void;
}

export interface CheckOutcome {
  check: KubectlCheck;
  exitCode: number;
  output: string;
  ok: boolean;
  why?: string;
}

const NS = 'eafix-production';

export function kubectlChecks(files: { apply: string; backup: string }): KubectlCheck[] {
  return [
    {
      name: 'get pods (Table columns)',
      args: ['get', 'pods', '-n', NS],
      exitCode: 0,
      expect: [/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m, /^eafix-risk-manager-\S+\s+1\/1\s+Running\s+0\s+\d+m$/m],
    },
    {
      name: 'get deployment',
      args: ['get', 'deploy', 'eafix-green'],
      exitCode: 0,
      expect: [/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m, /^eafix-green\s+3\/3\s+3\s+3\s+\d+d$/m],
    },
    {
      name: 'get replicasets',
      args: ['get', 'rs', '-l', 'app=eafix-gateway,version=green'],
      exitCode: 0,
      expect: [/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/m, /^eafix-green-\w+\s+3\s+3\s+3\s/m],
    },
    {
      name: 'describe deployment',
      args: ['describe', 'deploy', 'eafix-green'],
      exitCode: 0,
      expect: [
        /^Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable$/m,
        /^NewReplicaSet:\s+eafix-green-\w+ \(3\/3 replicas created\)$/m,
      ],
    },
    {
      name: 'scale',
      args: ['scale', 'deploy/eafix-risk-manager', '--replicas=4'],
      exitCode: 0,
      expect: [/^deployment\.apps\/eafix-risk-manager scaled$/m],
    },
    {
      name: 'rollout status',
      args: ['rollout', 'status', 'deploy/eafix-risk-manager', '--timeout=60s'],
      exitCode: 0,
      expect: [/deployment "eafix-risk-manager" successfully rolled out/],
    },
    {
      name: 'rollout restart',
      args: ['rollout', 'restart', 'deploy/eafix-market-data'],
      exitCode: 0,
      expect: [/^deployment\.apps\/eafix-market-data restarted$/m],
    },
    {
      name: 'rollout status after restart',
      args: ['rollout', 'status', 'deploy/eafix-market-data', '--timeout=60s'],
      exitCode: 0,
      expect: [/successfully rolled out/],
    },
    {
      name: 'rollout history',
      args: ['rollout', 'history', 'deploy/eafix-market-data'],
      exitCode: 0,
      expect: [/^REVISION\s+CHANGE-CAUSE$/m, /^1\s+<none>$/m, /^2\s+<none>$/m],
    },
    {
      name: 'rollout undo',
      args: ['rollout', 'undo', 'deploy/eafix-market-data'],
      exitCode: 0,
      expect: [/^deployment\.apps\/eafix-market-data rolled back$/m],
    },
    // Undo brings revision 1's ReplicaSet back as revision 3, as Kubernetes renumbers it.
    {
      name: 'rollout history after undo',
      args: ['rollout', 'history', 'deploy/eafix-market-data'],
      exitCode: 0,
      expect: [/^2\s+<none>$/m, /^3\s+<none>$/m],
      reject: [/^1\s+<none>$/m],
    },
    {
      name: 'patch',
      args: [
        'patch',
        'deploy',
        'eafix-blue',
        '--type=merge',
        '-p',
        '{"metadata":{"annotations":{"eafix.io/checked":"yes"}}}',
      ],
      exitCode: 0,
      expect: [/^deployment\.apps\/eafix-blue patched$/m],
    },
    {
      name: 'logs',
      args: ['logs', 'deploy/eafix-risk-manager', '--tail=3'],
      exitCode: 0,
      expect: [/\[risk-manager\]/],
    },
    {
      name: 'auth can-i --as (yes)',
      args: ['auth', 'can-i', 'patch', 'deployments', '--as', 'alice@eafix.io'],
      exitCode: 0,
      expect: [/^yes$/m],
    },
    {
      name: 'auth can-i --as (no)',
      args: ['auth', 'can-i', 'patch', 'deployments', '--as', 'mallory@eafix.io'],
      exitCode: 1,
      expect: [/^no$/m],
      before: (sim) => sim.denyAccess({ verb: 'patch', resource: 'deployments', user: 'mallory@eafix.io' }),
    },
    {
      name: 'impersonated write refused',
      args: [
        'patch',
        'deploy',
        'eafix-blue',
        '--type=merge',
        '-p',
        '{"spec":{"replicas":1}}',
        '--as',
        'mallory@eafix.io',
      ],
      exitCode: 1,
      expect: [
        /User "mallory@eafix\.io" cannot patch resource "deployments" in API group "apps" in the namespace "eafix-production"/,
      ],
    },
    // RBAC treats subresources as resources of their own: denying deployments leaves deployments/scale.
    {
      name: 'subresource is separate',
      args: ['scale', 'deploy/eafix-blue', '--replicas=1', '--as', 'mallory@eafix.io'],
      exitCode: 0,
      expect: [/^deployment\.apps\/eafix-blue scaled$/m],
    },
    {
      name: 'apply --server-side',
      args: ['apply', '--server-side', '-f', files.apply],
      exitCode: 0,
      expect: [/^deployment\.apps\/eafix-blue serverside-applied$/m],
    },
    {
      name: 'top pods',
      args: ['top', 'pods', '-l', 'app=eafix-risk-manager'],
      exitCode: 0,
      expect: [/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/m, /^eafix-risk-manager-\S+\s+\d+m\s+\d+Mi/m],
    },
    {
      name: 'events.k8s.io',
      args: ['get', 'events.v1.events.k8s.io'],
      exitCode: 0,
      expect: [/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m, /ScalingReplicaSet\s+deployment\/eafix-risk-manager/],
    },
    {
      name: 'unsupported field selector',
      args: ['get', 'pods', '--field-selector=spec.containers.image=x'],
      exitCode: 1,
      expect: [/field label not supported: spec\.containers\.image/],
    },
    ...workloadChecks(files),
  ];
}

function run(kubectl: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve) => {
    execFile(kubectl, args, { env, timeout: 90_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ exitCode: code, output: `${stdout}${stderr}` });
    });
  });
}

function judge(check: KubectlCheck, exitCode: number, output: string): string | undefined {
  if (exitCode !== check.exitCode) return `exit code ${exitCode}, expected ${check.exitCode}`;
  const missing = check.expect.find((re) => !re.test(output));
  if (missing) return `output does not match ${missing}`;
  const unwanted = check.reject?.find((re) => re.test(output));
  if (unwanted) return `output matches ${unwanted}`;
  return undefined;
}

/** Runs every check in order against `sim`; `kubectl` is the binary to use. */
export async function runKubectlChecks(sim: ClusterSimulator, kubectl = 'kubectl'): Promise<CheckOutcome[]> {
  const dir = await mkdtemp(join(tmpdir(), 'eafix-kubectl-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, sim.kubeconfigYaml(NS), { mode: 0o600 });
    const apply = join(dir, 'blue.yaml');
    await writeFile(
      apply,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: eafix-blue\n  namespace: ${NS}\nspec:\n  replicas: 1\n`,
    );
    const backup = join(dir, 'backup.yaml');
    await writeFile(backup, VELERO_BACKUP_YAML);
    const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
    const outcomes: CheckOutcome[] = [];
    for (const check of kubectlChecks({ apply, backup })) {
      check.before?.(sim);
      const { exitCode, output } = await run(kubectl, check.args, env);
      const why = judge(check, exitCode, output);
      outcomes.push({ check, exitCode, output, ok: why === undefined, ...(why ? { why } : {}) });
    }
    return outcomes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatOutcomes(outcomes: readonly CheckOutcome[]): string {
  const lines = outcomes.map(
    (o) =>
      `${o.ok ? 'ok  ' : 'FAIL'} kubectl ${o.check.args.join(' ')}${o.ok ? '' : `\n     ${o.why}\n     ${o.output.trim().split('\n').slice(0, 6).join('\n     ')}`}`,
  );
  const failed = outcomes.filter((o) => !o.ok).length;
  return `${lines.join('\n')}\n${outcomes.length - failed} passed, ${failed} failed`;
}
