/**
 * npm run rbac:generate [-- --policy FILE] [--out DIR] [--namespace NS] [--service-account NAME] [--check]
 *
 * Writes the bot's Kubernetes RBAC (and the policy copy the ConfigMap is built from) into the kustomize
 * base. --check writes nothing and exits 1 when the files on disk differ from what would be written.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { allActions } from '../src/handlers/actions.ts';
import { DEFAULT_BOT, DEFAULT_POLICY, renderRbac } from './rbac/render.ts';

const { values } = parseArgs({
  options: {
    policy: { type: 'string', default: DEFAULT_POLICY },
    out: { type: 'string', default: 'deploy/kubernetes/base' },
    namespace: { type: 'string', default: DEFAULT_BOT.namespace },
    'service-account': { type: 'string', default: DEFAULT_BOT.serviceAccount },
    check: { type: 'boolean', default: false },
  },
});

const files = renderRbac(await readFile(values.policy, 'utf8'), values.policy, allActions, {
  namespace: values.namespace,
  serviceAccount: values['service-account'],
});
const stale: string[] = [];
for (const [name, text] of files) {
  const path = join(values.out, name);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) continue;
  if (values.check) {
    stale.push(path);
    continue;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  console.log(`wrote ${path}`);
}
if (stale.length > 0) {
  console.error(`RBAC manifests are out of date (run npm run rbac:generate): ${stale.join(', ')}`);
  process.exitCode = 1;
} else if (values.check) {
  console.log('RBAC manifests are up to date.');
}
