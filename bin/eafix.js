#!/usr/bin/env node
// Entry point. Production runs the compiled bot in dist/ (`npm run build`), plain Node, no tsx.
// A development checkout without dist/ runs the TypeScript sources through tsx (a dev dependency).
// `eafix sandbox ...` runs the sandbox package (packages/sandbox, on sources), which a production
// install does not contain.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const fromHere = (path) => fileURLToPath(new URL(path, import.meta.url));
const compiled = fromHere('../dist/main.js');
const sandbox = fromHere('../packages/sandbox/src/main.ts');

async function registerTsx(what) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    console.error(`eafix: ${what} runs TypeScript through tsx, which is not installed: npm install (development).`);
    process.exit(1);
  }
}

if (process.argv[2] === 'sandbox') {
  if (!existsSync(sandbox)) {
    console.error('eafix: the sandbox is not part of this installation; run ./scripts/sandbox.sh in a clone.');
    process.exit(2);
  }
  await registerTsx('the sandbox');
  await import(sandbox);
} else if (existsSync(compiled)) {
  // Node 22.1+ (the Docker image) keeps compiled code on disk between starts; Node 20 has no compile cache.
  module.enableCompileCache?.();
  await import(compiled);
} else {
  await registerTsx('without dist/ (npm run build), the bot');
  await import('../src/main.ts');
}
