import { describe, expect, it } from 'vitest';
import { digestMessage, MAX_MESSAGE_BLOCKS } from '../../../src/handlers/monitoring/digest-message.ts';
import { healthText, sectionTexts } from '../../../src/handlers/monitoring/digest-sections.ts';
import { kpiLine, kpiText } from '../../../src/handlers/monitoring/kpi-lines.ts';
import type { DigestSnapshot } from '../../../src/handlers/monitoring/digest-snapshot.ts';
import { approval, deployment, incident, readings, run, snapshot } from './digest-fixtures.ts';

const textOf = (blocks: unknown) => JSON.stringify(blocks);
const sectionBlocks = (blocks: Array<{ type: string; text?: { text: string } }>) =>
  blocks.filter((b) => b.type === 'section');

describe('digest sections', () => {
  it('service health: ready/desired per deployment and restarts, unhealthy first', () => {
    const text = healthText({
      ok: true,
      value: [
        deployment('market-data', 2, 2),
        deployment('risk-manager', 1, 3, { restarts: 4 }),
        deployment('execution-engine', 3, 3, {
          progressDeadlineExceeded: true,
          rollout: 'failed',
          rolloutMessage: 'exceeded its progress deadline',
        }),
      ],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('*Service health* — 1/3 deployments healthy, 6/8 pods ready, 4 restart(s)');
    expect(lines[1]).toContain('*risk-manager* 1/3 ready, 4 restart(s)');
    expect(lines[2]).toContain(':x: *execution-engine* 3/3 ready — exceeded its progress deadline');
    expect(lines[3]).toContain(':large_green_circle: *market-data* 2/2 ready');
  });

  it('live colour with the last deploy or rollback, trading and maintenance', () => {
    const texts = sectionTexts(
      snapshot({
        platform: { ok: true, value: { trading: 'stopped', maintenance: { enabled: true, message: 'DB migration' } } },
      }),
    );
    expect(texts[1]).toContain('*Live colour:* green');
    expect(texts[1]).toContain('`rollback` by <@U0DAVE> — succeeded');
    expect(texts[2]).toBe('*Trading:* :octagonal_sign: stopped   *Maintenance:* :construction: on ("DB migration")');
    const none = sectionTexts(
      snapshot({ deploys: { ok: true, value: { live: { colour: 'blue', selector: {} }, last: undefined } } }),
    );
    expect(none[1]).toContain('no deploy or rollback recorded');
    const failed = sectionTexts(
      snapshot({
        deploys: { ok: true, value: { live: { colour: 'blue', selector: {} }, last: run({ status: 'failed' }) } },
      }),
    );
    expect(failed[1]).toContain('— failed');
  });

  it('KPIs: one traffic light per band, with the threshold that put it there', () => {
    const [ok, above, warning, critical] = readings({
      api_response_time_ms: 42,
      error_rate_percent: 0.5,
      cpu_usage_percent: 85,
      memory_usage_percent: 97,
    });
    expect(kpiLine(ok!)).toBe(':large_green_circle: *API response time* 42 ms (target < 100 ms)');
    expect(kpiLine(above!)).toBe(':large_green_circle: *Error rate* 0.5% — above the 0.1% target (warning > 1%)');
    expect(kpiLine(warning!)).toBe(':large_yellow_circle: *CPU usage* 85% — warning (> 80%; critical > 90%)');
    expect(kpiLine(critical!)).toBe(':red_circle: *Memory usage* 97% — critical (> 95%)');
    const text = kpiText(
      readings({ cpu_usage_percent: 85, memory_usage_percent: 97, disk_usage_percent: null }, 'no data'),
    );
    expect(text.split('\n')[0]).toBe('*KPIs* — 6 ok, 1 warning, 1 critical, 1 unavailable');
    expect(text).toContain(':white_circle: *Disk usage* unavailable — no data');
  });

  it('KPIs with Prometheus down: the digest names every unavailable KPI and why, once', () => {
    const all = readings(Object.fromEntries(readings().map((r) => [r.id, null])));
    const text = kpiText(all);
    expect(text).toContain('0 ok, 0 warning, 0 critical, 9 unavailable');
    expect(text).toContain(
      '*Unavailable:* API response time, Error rate, CPU usage, Memory usage, Disk usage, Signal generation latency, Order execution time, Data feed latency, Risk check time — Prometheus at http://prom:9090 could not be reached.',
    );
    const message = digestMessage(snapshot({ kpis: all }));
    expect(message.text).toContain('9 unavailable');
  });

  it('open incidents, pending approvals and the runs of the last 24 hours', () => {
    const texts = sectionTexts(
      snapshot({
        incidents: {
          ok: true,
          value: [
            incident(),
            incident({ id: 'INC-2', acknowledgedBy: 'U0BOB', severity: 'critical', type: 'security' }),
          ],
        },
        approvals: { ok: true, value: [approval()] },
        runs: { ok: true, value: { queued: 1, running: 1, succeeded: 5, failed: 2, cancelled: 1 } },
      }),
    );
    expect(texts[4]).toContain('*Open incidents* — 2');
    expect(texts[4]).toContain(
      '• *INC-20261124-001* high ops — Orders failing — investigating in <#C0WAR> — :warning: unacknowledged',
    );
    expect(texts[4]).toContain('• *INC-2* critical security');
    expect(texts[5]).toContain('*Pending approvals* — 1');
    expect(texts[5]).toContain('`/eafix trading stop` requested by <@U0DAVE> — 0/1 approval(s)');
    expect(texts[6]).toBe(
      '*Runs in the last 24 hours* — :white_check_mark: 5 succeeded   :x: 2 failed   :no_entry_sign: 1 cancelled   :hourglass_flowing_sand: 2 in progress',
    );
    const quiet = sectionTexts(snapshot());
    expect(quiet[4]).toBe('*Open incidents* — none :relieved:');
    expect(quiet[5]).toBe('*Pending approvals* — none');
  });

  it('backup freshness in each band, and left out when not configured', () => {
    const limits = { warnAfterSeconds: 26 * 3600, criticalAfterSeconds: 48 * 3600 };
    const text = (backups: DigestSnapshot['backups']) => sectionTexts(snapshot({ backups })).at(-1);
    expect(text({ ...limits, band: 'ok', ageSeconds: 5 * 3600 })).toBe(
      '*Backups* — :large_green_circle: newest backup is 5h old (warning after 26h, critical after 2d)',
    );
    expect(text({ ...limits, band: 'warning', ageSeconds: 30 * 3600 })).toContain(
      ':large_yellow_circle: newest backup is 30h old',
    );
    expect(text({ ...limits, band: 'critical', ageSeconds: 3 * 86400 })).toContain(
      ':red_circle: newest backup is 3d old',
    );
    expect(text({ ...limits, band: 'unavailable', reason: 'no data' })).toBe(
      '*Backups* — :white_circle: unavailable: no data',
    );
    const { backups: _omit, ...withoutBackups } = snapshot();
    expect(sectionTexts(withoutBackups).join('\n')).not.toContain('*Backups*');
  });

  it('a source that failed shows as unavailable; incidents are left out when the bot has none wired', () => {
    const { incidents: _omit, ...rest } = snapshot({
      health: { ok: false, reason: 'The Kubernetes API could not be reached.' },
    });
    const texts = sectionTexts(rest);
    expect(texts[0]).toBe('*Service health* — :white_circle: unavailable: The Kubernetes API could not be reached.');
    expect(texts.join('\n')).not.toContain('Open incidents');
    expect(digestMessage(rest).text).toContain('service health unavailable');
  });

  it('shows only the sections the policy asks for, in its order', () => {
    const texts = sectionTexts(snapshot({ sections: ['kpis', 'platform'] }));
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^\*KPIs\*/);
    expect(texts[1]).toMatch(/^\*Trading:\*/);
  });
});

describe('digest message', () => {
  it('has a header, the time, and one divider between sections', () => {
    const message = digestMessage(snapshot(), 'Scheduled for 08:00');
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'EAFIX daily digest — production' },
    });
    expect(textOf(message.blocks[1])).toContain('Scheduled for 08:00 · as of <!date^');
    expect(message.blocks.filter((b) => b.type === 'divider')).toHaveLength(7);
    expect(message.text).toBe(
      'EAFIX daily digest (production): all deployments healthy; KPIs 9 ok, 0 warning, 0 critical; 0 open incident(s)',
    );
  });

  it('stays within Block Kit limits for 200 services, half of them unhealthy', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      deployment(`service-with-a-long-name-${i}`, i % 2 ? 1 : 2, 2, { restarts: i % 7 }),
    );
    const message = digestMessage(
      snapshot({
        health: { ok: true, value: many },
        incidents: {
          ok: true,
          value: Array.from({ length: 30 }, (_, i) => incident({ id: `INC-${i}`, title: 'x'.repeat(200) })),
        },
        approvals: { ok: true, value: Array.from({ length: 30 }, (_, i) => approval({ id: `apr_${i}` })) },
      }),
    );
    expect(message.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
    for (const block of sectionBlocks(message.blocks as never))
      expect(block.text!.text.length).toBeLessThanOrEqual(3000);
    const all = textOf(message.blocks);
    expect(all).toContain('100/200 deployments healthy');
    expect(all).toContain('…and 40 more needing attention');
    expect(all).toContain('100 healthy deployments');
    expect(all).toContain('…and 20 more (`/eafix incidents`)');
    expect(message.text).toContain('100 deployment(s) need attention');
  });

  it('cuts at 50 blocks with a note when sections would need more', () => {
    const huge = Array.from({ length: 60 }, (_, i) => deployment(`s${i}-${'n'.repeat(55)}`, 0, 2));
    const message = digestMessage(
      snapshot({
        health: { ok: true, value: huge },
        sections: [
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
          'health',
        ],
      }),
    );
    expect(message.blocks).toHaveLength(MAX_MESSAGE_BLOCKS);
    expect(textOf(message.blocks.at(-1))).toContain('cut to fit one Slack message');
  });
});
