/**
 * The dist/ bundle (`npm run build`: esbuild, code splitting, npm packages external) is what the image
 * runs. What loads at start is the entry modules and the chunks they import statically; a package loaded
 * on first use must be reached only through `import()`, as in the sources (test/start-up-imports.test.ts).
 * That the bundle finds package.json and migrations/ from its chunks is shown by every test that starts
 * the compiled bot (test/support/compiled-bot.ts): it reads both before /readyz answers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/compiled-build.ts';
import { expectNoLazyPackagesAtStart, packagesLoadedBy, root } from './support/static-imports.ts';

beforeAll(() => ensureBuilt(), 600_000);

describe('the dist/ bundle', () => {
  it('is built from src/ alone, every npm package left to node_modules', () => {
    const meta = JSON.parse(readFileSync(join(root, 'dist/meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('src/main.ts');
    expect(inputs.filter((input) => !input.startsWith('src/'))).toEqual([]);
  });

  it('loads at start none of the packages it loads on first use', () => {
    expectNoLazyPackagesAtStart('dist/main.js', 'dist/start-bot.js');
  });

  it('puts the lazily loaded adapters in chunks of their own (the check above is not vacuous)', () => {
    const chunks = readdirSync(join(root, 'dist/chunks')).filter((name) => name.endsWith('.js'));
    const imported = new Set(chunks.flatMap((chunk) => [...packagesLoadedBy(`dist/chunks/${chunk}`).keys()]));
    expect(imported).toContain('@kubernetes/client-node');
    expect(imported).toContain('@bull-board/express');
  });
});
