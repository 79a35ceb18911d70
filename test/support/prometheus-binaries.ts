/**
 * Debian's Prometheus binaries for the tests that run them (promtool, prometheus, prometheus-alertmanager).
 * They are installed by scripts/ensure-prometheus.sh where missing; where that cannot install them the
 * test fails saying so, it is never skipped.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
let ensured: Promise<void> | undefined;

/** Installs the binaries once per test process (a no-op when they are there). */
export function ensurePrometheusBinaries(): Promise<void> {
  ensured ??= run('./scripts/ensure-prometheus.sh', [], { timeout: 600_000 }).then(
    () => undefined,
    (error: { stderr?: string; message: string }) => {
      throw new Error(`Prometheus binaries are missing and could not be installed: ${error.stderr ?? error.message}`);
    },
  );
  return ensured;
}

/** promtool's verdict and output (stdout and stderr together: it reports failures on either). */
export async function promtool(...args: string[]): Promise<{ ok: boolean; output: string }> {
  await ensurePrometheusBinaries();
  try {
    const { stdout, stderr } = await run('promtool', args);
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** amtool's verdict and output. */
export async function amtool(...args: string[]): Promise<{ ok: boolean; output: string }> {
  await ensurePrometheusBinaries();
  try {
    const { stdout, stderr } = await run('amtool', args);
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
