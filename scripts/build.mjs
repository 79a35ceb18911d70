#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ (what the image runs), with the npm packages the start-up loads.
//
// A start used to resolve, read and compile hundreds of node_modules files one by one before /readyz; one
// bundle of the same code starts ~20 % faster and sits ~10 MB lower. Packages stay in node_modules (external)
// where bundling would change what they do or load a second copy. BullMQ is bundled, in a chunk of its own
// loaded on first use (its Lua and SQL scripts are inlined for bundlers), so that it shares the start-up's
// ioredis.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const entryPoints = ['src/main.ts', 'src/start-bot.ts'];

/** Optional native parts the production install leaves out: pg's driver (unused), msgpackr's unpacker (BullMQ falls back to JavaScript). */
export const optionalNative = ['pg-native', 'msgpackr-extract'];

/**
 * Packages the bot loads on first use (dynamic import), each in its own right: big, and some find files or
 * native code beside themselves (Bull Board its UI, resvg its renderer). They must stay out of the start-up
 * (test/support/static-imports.ts holds the sources and the bundle to that) and out of the bundle.
 */
export const loadedOnFirstUse = [
  '@kubernetes/client-node',
  'vega',
  'vega-lite',
  '@resvg/resvg-js',
  '@bull-board/api',
  '@bull-board/express',
  'node-pg-migrate',
  'diff',
  'undici',
  'yaml',
];

export const external = [
  ...loadedOnFirstUse,
  // Shared with a package above: Bolt and Bull Board mount into one copy of Express.
  'express',
  // Its transports (pino-pretty) run in worker threads that load files by path.
  'pino',
  ...optionalNative,
];

/**
 * Packages that bundled CommonJS code requires as it loads but uses only later. Bolt's Socket Mode client
 * (loaded with Bolt's `App`) requires undici for its WebSocket: ~120 ms and ~6 MB of heap on every start,
 * HTTP mode included. Such a `require` gets a stand-in that requires the package when a property is first
 * read. Only for packages whose users read properties when they use them, never at load.
 */
export const requiredOnFirstUse = ['undici'];

const firstUseStandIn = (name) => `let loaded;
const load = () => (loaded ??= require(${JSON.stringify(name)}));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  set: (_, key, value) => Reflect.set(load(), key, value),
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const own = Reflect.getOwnPropertyDescriptor(load(), key);
    return own && { ...own, configurable: true };
  },
});
`;

/** esbuild plugin: a `require` of a package in `names` from bundled code resolves to its stand-in. */
export const requireOnFirstUse = (names) => ({
  name: 'required-on-first-use',
  setup(build) {
    const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => {
      if (args.namespace === 'first-use') return { path: args.path, external: true };
      return args.kind === 'require-call' ? { path: args.path, namespace: 'first-use' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'first-use' }, (args) => ({
      contents: firstUseStandIn(args.path),
      loader: 'js',
    }));
  },
});

/** The ASCII stand-in for each UTF-16 unit of the typography comments use; any other unit becomes '?'. */
const asciiFor = new Map([
  ['\u2014', '-'],
  ['\u2013', '-'],
  ['\u2192', '>'],
  ['\u2190', '<'],
  ['\u2264', '<'],
  ['\u2265', '>'],
  ['\u00d7', 'x'],
  ['\u2026', '.'],
  ['\u2018', "'"],
  ['\u2019', "'"],
  ['\u201c', '"'],
  ['\u201d', '"'],
  ['\u00b5', 'u'],
  ['\u00b7', '.'],
]);

/**
 * `code` with every non-ASCII UTF-16 unit replaced by one ASCII character: same length, same lines and
 * columns, so the source map still points right. esbuild escapes strings, template literals, regular
 * expressions and names (its default `charset: 'ascii'`) but keeps the comments it keeps as they are.
 */
export const asciiOnly = (code) => code.replace(/[\u0080-\uffff]/g, (unit) => asciiFor.get(unit) ?? '?');

/**
 * Makes each output ASCII. V8 keeps every module's source text for as long as the process lives, at two
 * bytes per character if a single character is not Latin-1 (one '—' in a comment of a bundled package
 * doubled start-bot.js's 1.7 MB): ~5 MB of every process's heap. Replacing a character that is not in a
 * comment would change the program, so the code esbuild prints without comments must not change.
 */
async function asciiOutputs(transform, outputs) {
  const withoutComments = async (code) =>
    (await transform(code, { minifyWhitespace: true, legalComments: 'none', format: 'esm' })).code;
  for (const output of outputs.filter((name) => name.endsWith('.js'))) {
    const code = await readFile(output, 'utf8');
    const ascii = asciiOnly(code);
    if (ascii === code) continue;
    if ((await withoutComments(ascii)) !== (await withoutComments(code)))
      throw new Error(`${output}: a non-ASCII character outside a comment; keep esbuild's charset 'ascii'`);
    await writeFile(output, ascii);
  }
}

/** Bundled CommonJS packages `require` Node's built-ins: each chunk gets a `require` of its own. */
export const requireBanner =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

async function bundle() {
  const { build, transform } = await import('esbuild');
  const root = fileURLToPath(new URL('..', import.meta.url));
  await rm(`${root}/dist`, { recursive: true, force: true });
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external,
    plugins: [requireOnFirstUse(requiredOnFirstUse)],
    // A package's ES module build where it has one (BullMQ's): `import()` of a bundled CommonJS module
    // would give only a default export, where Node gives the named ones too.
    mainFields: ['module', 'main'],
    banner: { js: requireBanner },
    sourcemap: true,
    outdir: 'dist',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  await asciiOutputs(
    transform,
    Object.keys(metafile.outputs).map((name) => `${root}/${name}`),
  );
  // The sizes of the files as written: the ASCII pass made some shorter (a character of several UTF-8 bytes
  // became one).
  for (const [name, output] of Object.entries(metafile.outputs)) output.bytes = (await stat(`${root}/${name}`)).size;
  // What went into each output and what each imports (test/bundle.test.ts checks what the start-up loads).
  await writeFile(`${root}/dist/meta.json`, JSON.stringify(metafile));
}

// Run as a script; imported (by tests) for its lists only.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await bundle();
