/**
 * kubectl checks for Jobs, StatefulSets, Velero's CRDs and Namespaces (see kubectl-check.ts): what a
 * real API server makes kubectl print for `create job`, `wait`, `get jobs`, `logs job/…`, `get sts`,
 * `get backups.velero.io` and a namespace's create and finalised delete.
 */
import type { KubectlCheck } from './kubectl-check.ts';

const TOOLBOX = 'registry.eafix.local/eafix/eafix-toolbox:2.4.0';

export const VELERO_BACKUP_YAML = `apiVersion: velero.io/v1
kind: Backup
metadata:
  name: eafix-backup-check
  namespace: velero
spec:
  includedNamespaces: [eafix-production]
  ttl: 720h0m0s
`;

export function workloadChecks(files: { backup: string }): KubectlCheck[] {
  return [
    {
      name: 'create job',
      args: ['create', 'job', 'eafix-status', `--image=${TOOLBOX}`, '--', 'eafix-cli', 'status'],
      exitCode: 0,
      expect: [/^job\.batch\/eafix-status created$/m],
    },
    {
      name: 'wait for job',
      args: ['wait', '--for=condition=complete', 'job/eafix-status', '--timeout=60s'],
      exitCode: 0,
      expect: [/^job\.batch\/eafix-status condition met$/m],
    },
    {
      name: 'get jobs (Table columns)',
      args: ['get', 'jobs'],
      exitCode: 0,
      expect: [/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m, /^eafix-status\s+Complete\s+1\/1\s+\d+s\s+\d+s$/m],
    },
    {
      name: 'logs job/…',
      args: ['logs', 'job/eafix-status'],
      exitCode: 0,
      expect: [/^\{"trading":"enabled","maintenance":false,"database":"healthy","site":"primary"\}$/m],
    },
    {
      name: 'describe job',
      args: ['describe', 'job', 'eafix-status'],
      exitCode: 0,
      expect: [
        /^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m,
        /SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: eafix-status-\w+/,
      ],
    },
    {
      name: 'delete job (background)',
      args: ['delete', 'job', 'eafix-status'],
      exitCode: 0,
      expect: [/^job\.batch "eafix-status" deleted$/m],
    },
    {
      name: 'get sts',
      args: ['get', 'sts'],
      exitCode: 0,
      expect: [/^NAME\s+READY\s+AGE$/m, /^eafix-postgres-replica\s+2\/2\s+\d+d$/m],
    },
    {
      name: 'scale sts',
      args: ['scale', 'sts/eafix-postgres-replica', '--replicas=3'],
      exitCode: 0,
      expect: [/^statefulset\.apps\/eafix-postgres-replica scaled$/m],
    },
    {
      name: 'rollout status sts',
      args: ['rollout', 'status', 'sts/eafix-postgres-replica', '--timeout=60s'],
      exitCode: 0,
      expect: [/partitioned roll out complete: 3 new pods have been updated|roll out complete/],
    },
    {
      name: 'get crd',
      args: ['get', 'crd', 'backups.velero.io'],
      exitCode: 0,
      expect: [/^NAME\s+CREATED AT$/m, /^backups\.velero\.io\s+\d{4}-\d\d-\d\dT/m],
    },
    {
      name: 'create a Velero backup',
      args: ['create', '-f', files.backup],
      exitCode: 0,
      expect: [/^backup\.velero\.io\/eafix-backup-check created$/m],
    },
    {
      name: 'wait for the backup',
      args: [
        'wait',
        '--for=jsonpath={.status.phase}=Completed',
        'backup.velero.io/eafix-backup-check',
        '-n',
        'velero',
        '--timeout=60s',
      ],
      exitCode: 0,
      expect: [/^backup\.velero\.io\/eafix-backup-check condition met$/m],
    },
    {
      name: 'get backups.velero.io',
      args: ['get', 'backups.velero.io', '-n', 'velero'],
      exitCode: 0,
      expect: [/^NAME\s+AGE$/m, /^eafix-backup-check\s+\d+s$/m],
    },
    {
      name: 'create namespace',
      args: ['create', 'namespace', 'eafix-dr-drill'],
      exitCode: 0,
      expect: [/^namespace\/eafix-dr-drill created$/m],
    },
    {
      name: 'get namespace',
      args: ['get', 'ns', 'eafix-dr-drill'],
      exitCode: 0,
      expect: [/^eafix-dr-drill\s+Active\s+\d+s$/m],
    },
    {
      name: 'delete namespace (waits for finalisation)',
      args: ['delete', 'namespace', 'eafix-dr-drill', '--timeout=60s'],
      exitCode: 0,
      expect: [/^namespace "eafix-dr-drill" deleted$/m],
    },
    {
      name: 'namespace gone',
      args: ['get', 'ns', 'eafix-dr-drill'],
      exitCode: 1,
      expect: [/namespaces "eafix-dr-drill" not found/],
    },
  ];
}
