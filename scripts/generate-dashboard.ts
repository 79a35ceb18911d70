/**
 * npm run dashboard:generate [-- --check]: writes deploy/grafana/eafix-chatops.json from
 * scripts/grafana/eafix-chatops-dashboard.ts; --check exits 1 when the file is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dashboard } from './grafana/eafix-chatops-dashboard.ts';

export const DASHBOARD_FILE = 'deploy/grafana/eafix-chatops.json';
export const dashboardJson = () => `${JSON.stringify(dashboard, null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const current = await readFile(DASHBOARD_FILE, 'utf8').catch(() => undefined);
  if (current === dashboardJson()) console.log(`${DASHBOARD_FILE} is up to date.`);
  else if (process.argv.includes('--check')) {
    console.error(`${DASHBOARD_FILE} is out of date: run npm run dashboard:generate`);
    process.exitCode = 1;
  } else {
    await writeFile(DASHBOARD_FILE, dashboardJson());
    console.log(`wrote ${DASHBOARD_FILE}`);
  }
}
