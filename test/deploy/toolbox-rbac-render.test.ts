/**
 * The toolbox manifest as shipped: `npm run rbac:generate -- --check` passes on the committed files and
 * fails on a hand edit of rbac/toolbox.yaml (regenerating repairs it), and `kubectl kustomize` renders the
 * toolbox objects, each valid against the Kubernetes schemas. Runs the real tsx and kubectl (no cluster).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKustomize, schemaProblems, type KubeObject } from './kubernetes-objects.ts';

const BASE = 'deploy/kubernetes/base';
const ENVIRONMENTS = ['eafix-dr', 'eafix-production', 'eafix-staging'];

describe('npm run rbac:generate -- --check', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'eafix-rbac-'));
    await cp(BASE, out, { recursive: true });
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  const generate = (...args: string[]) =>
    promisify(execFile)('node_modules/.bin/tsx', ['scripts/generate-rbac.ts', '--out', out, ...args]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('passes on the committed files, fails on a hand edit of toolbox.yaml, and regenerating repairs it', async () => {
    expect((await generate('--check')).code).toBe(0);
    const path = join(out, 'rbac/toolbox.yaml');
    const committed = await readFile(path, 'utf8');
    await writeFile(path, committed.replace('      - patch\n', "      - patch\n      - '*'\n"));
    const drifted = await generate('--check');
    expect(drifted.code).toBe(1);
    expect(drifted.stderr).toContain(join(out, 'rbac/toolbox.yaml'));
    expect((await generate()).code).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(committed);
  }, 60_000);
});

describe(`kubectl kustomize ${BASE}`, () => {
  it('renders the toolbox objects, and each validates against the Kubernetes schemas', async () => {
    const rendered = (await renderKustomize(BASE)).filter(
      (o: KubeObject) => o.metadata.labels?.['app.kubernetes.io/name'] === 'eafix-toolbox',
    );
    expect(rendered.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(
      [
        ...ENVIRONMENTS.map((ns) => `ServiceAccount ${ns}/eafix-toolbox`),
        'Role eafix-production/eafix-toolbox',
        'RoleBinding eafix-production/eafix-toolbox',
      ].sort(),
    );
    for (const object of rendered) expect(await schemaProblems(object), object.kind).toEqual([]);
  }, 60_000);
});
