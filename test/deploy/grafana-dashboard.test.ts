/**
 * deploy/grafana/eafix-chatops.json imports into Grafana: it is written from a definition typed against
 * Grafana's own dashboard schema (@grafana/schema; `satisfies Dashboard` fails typecheck on an unknown
 * field or a wrong type), its panels are well formed, and every query reads only series the bot exports.
 */
import { readFile } from 'node:fs/promises';
import type { Panel, RowPanel } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import { dashboard } from '../../scripts/grafana/eafix-chatops-dashboard.ts';
import { DASHBOARD_FILE, dashboardJson } from '../../scripts/generate-dashboard.ts';
import { exportedSeries, seriesIn } from './exported-series.ts';

const panels = (dashboard.panels ?? []) as (Panel | RowPanel)[];
const queries = panels.flatMap((p) =>
  ((p as Panel).targets ?? []).map((t) => ({ panel: p.title, expr: String((t as { expr?: unknown }).expr ?? '') })),
);

describe('the Grafana dashboard', () => {
  it('is up to date: the committed JSON is what the typed definition writes', async () => {
    expect(await readFile(DASHBOARD_FILE, 'utf8'), 'run npm run dashboard:generate').toBe(dashboardJson());
  });

  it('has a uid, a schema version, unique panel ids and a Prometheus datasource variable', () => {
    expect(dashboard.uid).toBe('eafix-chatops');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating?.list?.find((v) => v.type === 'datasource')?.query).toBe('prometheus');
    for (const p of panels) {
      expect(p.gridPos, p.title).toMatchObject({
        h: expect.any(Number),
        w: expect.any(Number),
        x: expect.any(Number),
        y: expect.any(Number),
      });
      expect((p.gridPos?.x ?? 0) + (p.gridPos?.w ?? 0), p.title).toBeLessThanOrEqual(24);
    }
  });

  it('queries only series the bot exports, and every panel queries something', async () => {
    const exported = await exportedSeries();
    expect(queries.length).toBeGreaterThan(10);
    for (const p of panels.filter((x) => x.type !== 'row'))
      expect(
        queries.some((q) => q.panel === p.title),
        p.title,
      ).toBe(true);
    for (const { panel, expr } of queries) {
      const used = seriesIn(expr);
      expect(used.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of used) expect(exported, `${panel}: ${name}`).toContain(name);
    }
  });
});
