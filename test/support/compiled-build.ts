import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from './eventually.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const stampPath = join(repoRoot, 'dist', '.source-hash');
const lockPath = join(repoRoot, '.sandbox-data', 'dist-build.lock');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(repoRoot, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * What dist/ is built from: every source file's path and content, the compiler settings, the build script
 * and the installed packages' versions (the bundle holds the ones the start-up loads).
 */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const settings = ['tsconfig.json', 'package.json', 'package-lock.json', 'scripts/build.mjs'];
  for (const file of [...(await sourceFiles('src')), ...settings.map((f) => join(repoRoot, f))])
    hash
      .update(file)
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  return hash.digest('hex');
}

const readStamp = () => readFile(stampPath, 'utf8').catch(() => '');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the build lock (one compiler at a time across test files); a dead holder's lock is taken over. */
async function lock(): Promise<() => Promise<void>> {
  await mkdir(join(repoRoot, '.sandbox-data'), { recursive: true });
  await eventually(
    async () => {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return true;
      } catch {
        const holder = Number(await readFile(lockPath, 'utf8').catch(() => '0'));
        if (holder && !alive(holder)) await rm(lockPath, { force: true });
        return false;
      }
    },
    'the dist/ build lock',
    300_000,
  );
  return () => rm(lockPath, { force: true });
}

/**
 * Bundles the bot into dist/ (`npm run build`) unless dist/ was built from the current sources: tests
 * that start production processes run what the image runs, never TypeScript through tsx.
 */
export async function ensureBuilt(): Promise<void> {
  const wanted = await sourceHash();
  if ((await readStamp()) === wanted) return;
  const unlock = await lock();
  try {
    if ((await readStamp()) === wanted) return;
    await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: repoRoot, timeout: 600_000 });
    await writeFile(stampPath, wanted);
  } finally {
    await unlock();
  }
}
