import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAZY_PACKAGES, packagesLoadedBy, root, staticImports } from './support/static-imports.ts';

// The sources' import graph; test/bundle.test.ts holds the dist/ bundle, which production runs, to the same
// rule through esbuild's metafile.
describe('start-up imports', () => {
  it('the bot starts without loading the packages it loads on first use', () => {
    const loaded = packagesLoadedBy('src/main.ts');
    const start = packagesLoadedBy('src/start-bot.ts');
    // The walk sees the packages every start needs (a walk that found nothing would prove nothing).
    expect([...start.keys()]).toEqual(expect.arrayContaining(['pg', 'ioredis', '@slack/bolt', 'prom-client']));
    for (const name of LAZY_PACKAGES) {
      expect(loaded.get(name), `${name} is imported by ${loaded.get(name)?.join(' → ')}`).toBeUndefined();
      expect(start.get(name), `${name} is imported by ${start.get(name)?.join(' → ')}`).toBeUndefined();
    }
  });

  it('finds a package reached through a chain of relative imports', () => {
    // The Kubernetes adapter's entry imports the client (the check above is not vacuous).
    expect(packagesLoadedBy('src/cluster/kube-cluster.ts').get('@kubernetes/client-node')).toBeDefined();
  });

  it('sees a type-only import of a lazy package as no import', () => {
    // The job modules name BullMQ's types; only lazy-queue.ts loads it, and only through import().
    expect(staticImports(resolve(root, 'src/jobs/run-worker.ts'))).not.toContain('bullmq');
    expect(readFileSync(resolve(root, 'src/jobs/run-worker.ts'), 'utf8')).toContain("from 'bullmq'");
  });
});
