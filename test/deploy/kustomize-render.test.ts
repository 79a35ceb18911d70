/**
 * deploy/kubernetes renders with kubectl's kustomize, every object validates against the Kubernetes
 * OpenAPI schemas, and the properties a production deployment relies on hold: probes, non-root,
 * read-only root filesystem, limits, PodDisruptionBudgets, least-privilege network access.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/policy.ts';
import { envSchema } from '../../src/config/env.ts';
import { SHUTDOWN_DEADLINE_MS } from '../../src/shutdown-deadline.ts';
import { parseYamlObjects, renderKustomize, schemaProblems, type KubeObject } from './kubernetes-objects.ts';

const OVERLAY = 'deploy/kubernetes/overlays/example';

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
    seccompProfile?: { type: string };
  };
}
interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  topologySpreadConstraints?: unknown[];
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}
interface Deployment extends KubeObject {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

let objects: KubeObject[] = [];
const ofKind = <T extends KubeObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
const named = <T extends KubeObject>(kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is not in the rendered overlay`);
  return found as T;
};
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

beforeAll(async () => {
  objects = await renderKustomize(OVERLAY);
});

describe(`kubectl kustomize ${OVERLAY}`, () => {
  it('renders every part of the deployment', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Namespace',
      'ServiceAccount',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'ConfigMap',
      'Ingress',
      'Role',
      'RoleBinding',
      'ClusterRole',
      'ClusterRoleBinding',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('validates every object against the Kubernetes OpenAPI schemas (and the schemas do reject a bad object)', async () => {
    const problems = (
      await Promise.all(
        objects.map(async (o) => (await schemaProblems(o)).map((p) => `${o.kind}/${o.metadata.name}: ${p}`)),
      )
    ).flat();
    expect(problems).toEqual([]);
    const web = structuredClone(named<Deployment>('Deployment', 'eafix-chatops-web'));
    (web.spec as unknown as { replicas: string }).replicas = 'two';
    expect(await schemaProblems(web)).toEqual([expect.stringContaining('replicas must be integer')]);
  });

  it('runs web and worker, two replicas each, with probes, limits and a locked-down container', () => {
    const deployments = ofKind<Deployment>('Deployment');
    expect(deployments.map((d) => d.spec.template.spec.containers[0]?.args?.[0]).sort()).toEqual(['web', 'worker']);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const where = d.metadata.name;
      expect(d.spec.replicas, where).toBeGreaterThanOrEqual(2);
      expect(pod.serviceAccountName, where).toBe('eafix-chatops');
      expect(pod.securityContext, where).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext?.runAsUser, `${where}: a numeric non-root user`).toBeGreaterThan(0);
      expect(pod.topologySpreadConstraints?.length, where).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.image, where).toMatch(/^registry\.example\.com\/eafix-chatops:/);
        expect(c.readinessProbe?.httpGet?.path, where).toBe('/readyz');
        expect(c.livenessProbe?.httpGet?.path, where).toBe('/healthz');
        expect(c.resources?.requests, where).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
        expect(c.resources?.limits, where).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
        expect(c.securityContext, where).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(
          c.ports?.map((p) => p.name),
          where,
        ).toEqual(['http']);
        expect(
          c.envFrom?.some((e) => e.secretRef?.name === 'eafix-chatops'),
          where,
        ).toBe(true);
      }
    }
  });

  it('gives every pod longer to stop than the process takes to reach its last checkpoint and exit', () => {
    for (const d of ofKind<Deployment>('Deployment')) {
      // SIGTERM comes after the preStop hook, and the grace period counts from the hook's start.
      const preStop =
        (d.spec.template.spec.containers[0] as { lifecycle?: { preStop?: { sleep?: { seconds: number } } } }).lifecycle
          ?.preStop?.sleep?.seconds ?? 0;
      expect(d.spec.template.spec.terminationGracePeriodSeconds, d.metadata.name).toBeGreaterThan(
        preStop + SHUTDOWN_DEADLINE_MS / 1000,
      );
    }
  });

  it('has a PodDisruptionBudget keeping one pod of each role', () => {
    const pdbs = ofKind<
      KubeObject & { spec: { minAvailable?: number; selector: { matchLabels: Record<string, string> } } }
    >('PodDisruptionBudget');
    for (const d of ofKind<Deployment>('Deployment')) {
      const pdb = pdbs.find((p) => selects(p.spec.selector.matchLabels, d.spec.template.metadata.labels));
      expect(pdb?.spec.minAvailable, d.metadata.name).toBe(1);
    }
  });

  it('mounts the policy ConfigMap, and the policy in it is valid', async () => {
    const policyMap = ofKind<KubeObject & { data: Record<string, string> }>('ConfigMap').find((c) =>
      c.metadata.name.startsWith('eafix-chatops-policy'),
    );
    expect(policyMap?.data['policy.yml']).toBeDefined();
    expect(() => parsePolicy(policyMap!.data['policy.yml']!)).not.toThrow();
    for (const d of ofKind<Deployment>('Deployment')) {
      expect(d.spec.template.spec.volumes?.find((v) => v.name === 'policy')?.configMap?.name, d.metadata.name).toBe(
        policyMap!.metadata.name,
      );
      expect(d.spec.template.spec.containers[0]?.env).toContainEqual({
        name: 'EAFIX_CONFIG',
        value: '/etc/eafix/policy.yml',
      });
    }
  });

  it('lets traffic in only to web on its port (and Prometheus to /metrics), and out only where the bot talks', () => {
    type Rule = {
      from?: { namespaceSelector?: { matchLabels: Record<string, string> } }[];
      to?: unknown[];
      ports?: { port: number; protocol: string }[];
    };
    const policies = ofKind<
      KubeObject & {
        spec: {
          podSelector: { matchLabels?: Record<string, string> };
          policyTypes: string[];
          ingress?: Rule[];
          egress?: Rule[];
        };
      }
    >('NetworkPolicy');
    const deny = policies.find((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0);
    expect(deny?.spec).toMatchObject({ policyTypes: ['Ingress', 'Egress'] });
    expect(deny?.spec.ingress ?? []).toEqual([]);
    const web = named<Deployment>('Deployment', 'eafix-chatops-web').spec.template.metadata.labels;
    const worker = named<Deployment>('Deployment', 'eafix-chatops-worker').spec.template.metadata.labels;
    const inboundPorts = (labels: Record<string, string>) =>
      policies
        .filter((p) => selects(p.spec.podSelector.matchLabels ?? {}, labels))
        .flatMap((p) => (p.spec.ingress ?? []).flatMap((r) => (r.ports ?? []).map((port) => port.port)))
        .sort();
    expect(inboundPorts(web)).toEqual([3000, 3000]);
    expect(inboundPorts(worker)).toEqual([3000]);
    const egressPorts = policies.flatMap((p) =>
      (p.spec.egress ?? []).flatMap((r) => (r.ports ?? []).map((port) => `${port.port}/${port.protocol}`)),
    );
    // DNS, API server, Slack and PagerDuty (443), PostgreSQL, Redis, Prometheus.
    expect(new Set(egressPorts)).toEqual(
      new Set(['53/UDP', '53/TCP', '6443/TCP', '443/TCP', '5432/TCP', '6379/TCP', '6432/TCP', '26379/TCP', '9090/TCP']),
    );
  });

  it('routes only /slack/events from the Ingress, to web', () => {
    type Path = { path: string; backend: { service: { name: string; port: { name: string } } } };
    const ingress = named<KubeObject & { spec: { rules: { http: { paths: Path[] } }[] } }>('Ingress', 'eafix-chatops');
    const paths = ingress.spec.rules.flatMap((r) => r.http.paths);
    expect(paths.map((p) => p.path)).toEqual(['/slack/events']);
    expect(paths[0]?.backend.service).toEqual({ name: 'eafix-chatops-web', port: { name: 'http' } });
  });
});

describe('deploy/kubernetes/secret.example.yaml', () => {
  it('is a valid Secret with every secret the bot reads, and no values', async () => {
    const [secret] = parseYamlObjects(
      await readFile('deploy/kubernetes/secret.example.yaml', 'utf8'),
    ) as (KubeObject & { stringData: Record<string, string> })[];
    expect(await schemaProblems(secret!)).toEqual([]);
    expect(Object.values(secret!.stringData).every((v) => v === '')).toBe(true);
    const known = Object.keys(envSchema.shape);
    for (const key of [
      'SLACK_SIGNING_SECRET',
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'DATABASE_URL',
      'REDIS_URL',
      'PAGERDUTY_ROUTING_KEY',
    ]) {
      expect(secret!.stringData, key).toHaveProperty(key);
    }
    for (const key of Object.keys(secret!.stringData)) expect(known, `${key} is read by the bot`).toContain(key);
  });
});
