/**
 * The dist/ bundle (`npm run build`, scripts/build.mjs: esbuild, code splitting) is what the image runs.
 * It holds the npm packages the start-up loads (one file to compile instead of hundreds to resolve and
 * read); packages loaded on first use stay in node_modules or in chunks of their own, reached only
 * through `import()`, as in the sources (test/start-up-imports.test.ts). esbuild's metafile says what
 * went into each output and what each output imports. That the bundle finds package.json and migrations/
 * from its chunks is shown by every test that starts the compiled bot (test/support/compiled-bot.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { asciiOnly, requireBanner, requireOnFirstUse } from '../scripts/build.mjs';
import { ensureBuilt } from './support/compiled-build.ts';
import { LAZY_PACKAGES, root } from './support/static-imports.ts';

interface Output {
  bytes: number;
  inputs: Record<string, unknown>;
  imports: { path: string; kind: string; external?: boolean }[];
}
let outputs: Record<string, Output>;

beforeAll(async () => {
  await ensureBuilt();
  outputs = (JSON.parse(readFileSync(join(root, 'dist/meta.json'), 'utf8')) as { outputs: Record<string, Output> })
    .outputs;
}, 600_000);

const packageOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
const loadsWhenLoaded = (kind: string) => kind === 'import-statement' || kind === 'require-call';

/** The outputs a start loads: the two entries and every chunk they import statically, transitively. */
function loadedAtStart(): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const i of outputs[name]!.imports) if (!i.external && loadsWhenLoaded(i.kind)) visit(i.path);
  };
  visit('dist/main.js');
  visit('dist/start-bot.js');
  return seen;
}

/** The packages `names` hold (bundled) and load from node_modules when they load (external). */
function packagesOf(names: Iterable<string>): { bundled: Set<string>; external: Set<string> } {
  const bundled = new Set<string>();
  const external = new Set<string>();
  for (const name of names) {
    for (const input of Object.keys(outputs[name]!.inputs)) {
      const pkg = packageOf(input);
      if (pkg) bundled.add(pkg);
    }
    for (const i of outputs[name]!.imports)
      if (i.external && loadsWhenLoaded(i.kind) && !isBuiltin(i.path))
        external.add(packageOf(`node_modules/${i.path}/`)!);
  }
  return { bundled, external };
}

const lazyOutputs = () => {
  const start = loadedAtStart();
  return Object.keys(outputs).filter((name) => name.endsWith('.js') && !start.has(name));
};

describe('the dist/ bundle', () => {
  it('holds the packages every start loads', () => {
    const { bundled } = packagesOf(loadedAtStart());
    expect([...bundled]).toEqual(expect.arrayContaining(['pg', 'ioredis', '@slack/bolt', 'prom-client', 'zod']));
  });

  it('loads at start none of the packages it loads on first use', () => {
    const { bundled, external } = packagesOf(loadedAtStart());
    // Bolt's Socket Mode client requires undici as it loads, and gets a stand-in that requires it on first use
    // (requiredOnFirstUse; the running bundle is checked below); the bot's own use (the Prometheus client) stays
    // behind import().
    for (const name of LAZY_PACKAGES.filter((p) => p !== 'undici')) {
      expect(bundled.has(name), `${name} is bundled into the start-up`).toBe(false);
      expect(external.has(name), `${name} is loaded by the start-up`).toBe(false);
    }
  });

  it('puts the packages loaded on first use in chunks of their own (the check above is not vacuous)', () => {
    const { bundled, external } = packagesOf(lazyOutputs());
    expect(bundled).toContain('bullmq');
    expect(external).toContain('@kubernetes/client-node');
    expect(external).toContain('@bull-board/express');
  });

  it('keeps one copy of what BullMQ and Bull Board share with the start-up', () => {
    const holding = (pkg: string) =>
      Object.keys(outputs).filter((name) => Object.keys(outputs[name]!.inputs).some((i) => packageOf(i) === pkg));
    // BullMQ's chunk imports the start's ioredis instead of bundling or requiring its own.
    expect(holding('ioredis')).toHaveLength(1);
    expect(loadedAtStart()).toContain(holding('ioredis')[0]);
    expect(packagesOf(lazyOutputs()).external).not.toContain('ioredis');
    // Bull Board mounts into an Express app: Bolt and the dashboard share node_modules' copy.
    expect(holding('express')).toEqual([]);
  });

  it('is ASCII throughout, so V8 keeps each source at one byte per character', () => {
    const nonAscii = Object.keys(outputs)
      .filter((name) => name.endsWith('.js'))
      .filter((name) => /[\u0080-\uffff]/.test(readFileSync(join(root, name), 'utf8')));
    expect(nonAscii).toEqual([]);
  });

  it('says in meta.json the size of each output as written, after the ASCII pass', () => {
    const stale = Object.entries(outputs).filter(([name, output]) => statSync(join(root, name)).size !== output.bytes);
    expect(stale.map(([name]) => name)).toEqual([]);
  });

  it('replaces each UTF-16 unit of a comment by one character, so source map lines and columns still hold', () => {
    const code = '// a \u2014 b \u2192 c \u{1f680}\nconst x = "\\u2014"; /* \u00b5s */ x;\n';
    expect(asciiOnly(code)).toBe('// a - b > c ??\nconst x = "\\u2014"; /* us */ x;\n');
    expect(asciiOnly(code)).toHaveLength(code.length);
  });

  it('loads neither Express nor undici when the start-up loads: Bolt receivers the bot does not use', () => {
    const loaded = runNode(`
      await import('./dist/start-bot.js');
      const { createRequire } = await import('node:module');
      const cached = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(cached.filter((path) => /node_modules\\/(express|body-parser|undici)\\//.test(path))));
    `);
    expect(JSON.parse(loaded)).toEqual([]);
  });
});

/** Runs an ES module in a Node process of its own (a module cache of its own), in the project root; its output. */
const runNode = (code: string) =>
  execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });

describe('a package required on first use (requireOnFirstUse)', () => {
  it('is required when one of its properties is first read, and gives the package itself', async () => {
    const { build } = await import('esbuild');
    // Inside the project, so that the bundle finds node_modules/undici as the real dist/ does.
    const dir = join(root, 'node_modules/.cache/eafix-bundle-test');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `first-use-${process.pid}.mjs`);
    // As dist/ is built: an ES module whose bundled CommonJS code requires undici as it loads.
    await build({
      stdin: {
        contents: "const undici = require('undici'); module.exports = () => undici.WebSocket;",
        resolveDir: root,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      banner: { js: requireBanner },
      outfile,
      plugins: [requireOnFirstUse(['undici'])],
      logLevel: 'error',
    });
    try {
      const seen = runNode(`
        import { createRequire } from 'node:module';
        const require = createRequire(import.meta.url);
        const undiciLoaded = () => Object.keys(require.cache).some((path) => path.includes('/node_modules/undici/'));
        const { default: webSocket } = await import(${JSON.stringify(outfile)});
        const before = undiciLoaded();
        const same = webSocket() === require('undici').WebSocket;
        console.log(JSON.stringify({ before, same, after: undiciLoaded() }));
      `);
      expect(JSON.parse(seen)).toEqual({ before: false, same: true, after: true });
    } finally {
      rmSync(outfile, { force: true });
    }
  });
});
