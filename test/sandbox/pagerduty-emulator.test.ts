import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PagerDutyEmulator } from '@eafix/sandbox/pagerduty';

const KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';
let emu: PagerDutyEmulator;

interface PdReply {
  status: string;
  message: string;
  dedup_key?: string;
  errors?: string[];
}

async function enqueue(body: unknown, raw = false): Promise<{ status: number; body: PdReply }> {
  const res = await fetch(`${emu.url}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? String(body) : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as PdReply };
}

function trigger(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    routing_key: KEY,
    event_action: 'trigger',
    payload: { summary: 'API p95 latency 640ms (critical)', source: 'eafix-api', severity: 'critical' },
    ...extra,
  };
}

beforeEach(async () => {
  emu = new PagerDutyEmulator();
  await emu.start();
});
afterEach(async () => {
  await emu.stop();
});

describe('PagerDutyEmulator success', () => {
  it('accepts a trigger with 202, generating a dedup_key and opening an incident', async () => {
    const { status, body } = await enqueue(
      trigger({ links: [{ href: 'https://grafana/x', text: 'dash' }], client: 'eafix', client_url: 'https://slack' }),
    );
    expect(status).toBe(202);
    expect(body).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const key = body.dedup_key as string;
    expect(emu.events).toHaveLength(1);
    expect(emu.events[0]).toMatchObject({ dedup_key: key, outcome: 'opened', client: 'eafix' });
    expect(emu.events[0]?.receivedAt).toBeInstanceOf(Date);
    expect(emu.incidents.get(key)).toMatchObject({ status: 'triggered', alertCount: 1, routing_key: KEY });
    expect(emu.pages().map((e) => e.dedup_key)).toEqual([key]);
  });

  it('deduplicates triggers and walks an incident through acknowledge and resolve', async () => {
    expect((await enqueue(trigger({ dedup_key: 'kpi/api' }))).body.dedup_key).toBe('kpi/api');
    await enqueue(trigger({ dedup_key: 'kpi/api' }));
    expect(emu.pages()).toHaveLength(1);
    expect(emu.incidents.get('kpi/api')).toMatchObject({ status: 'triggered', alertCount: 2 });

    const ack = await enqueue({ routing_key: KEY, event_action: 'acknowledge', dedup_key: 'kpi/api' });
    expect(ack.status).toBe(202);
    expect(emu.incidents.get('kpi/api')?.status).toBe('acknowledged');
    await enqueue({ routing_key: KEY, event_action: 'resolve', dedup_key: 'kpi/api' });
    expect(emu.incidents.get('kpi/api')?.status).toBe('resolved');
    expect(emu.events.map((e) => e.outcome)).toEqual(['opened', 'deduplicated', 'acknowledged', 'resolved']);

    // After resolution the same key pages again, as a new incident.
    await enqueue(trigger({ dedup_key: 'kpi/api' }));
    expect(emu.pages()).toHaveLength(2);
    expect(emu.incidents.get('kpi/api')).toMatchObject({ status: 'triggered', alertCount: 1 });
  });

  it('accepts acknowledge/resolve for unknown keys without creating incidents', async () => {
    const { status } = await enqueue({ routing_key: KEY, event_action: 'resolve', dedup_key: 'never-seen' });
    expect(status).toBe(202);
    expect(emu.events[0]?.outcome).toBe('ignored');
    expect(emu.incidents.size).toBe(0);
  });
});

describe('PagerDutyEmulator validation', () => {
  it.each([
    [{ ...trigger(), routing_key: 'short' }, "Length of 'routing_key' is incorrect (should be 32 characters)"],
    [{ ...trigger(), routing_key: 'x'.repeat(31) + '-' }, "'routing_key' cannot contain non-alphanumeric characters."],
    [{ ...trigger(), event_action: 'escalate' }, "'event_action' is invalid"],
    [{ routing_key: KEY, event_action: 'acknowledge' }, "'dedup_key' is missing or blank"],
    [trigger({ dedup_key: 'd'.repeat(256) }), "'dedup_key' is too long (maximum is 255 characters)"],
    [{ routing_key: KEY, event_action: 'trigger' }, "'payload' is missing or blank"],
    [trigger({ payload: { source: 's', severity: 'info' } }), "'payload.summary' is missing or blank"],
    [
      trigger({ payload: { summary: 's'.repeat(1025), source: 's', severity: 'info' } }),
      "'payload.summary' is too long",
    ],
    [trigger({ payload: { summary: 's', severity: 'info' } }), "'payload.source' is missing or blank"],
    [trigger({ payload: { summary: 's', source: 's', severity: 'sev1' } }), "'payload.severity' is invalid"],
    [
      trigger({ payload: { summary: 's', source: 's', severity: 'info', timestamp: 'today' } }),
      "'payload.timestamp' is invalid",
    ],
    [trigger({ links: [{ text: 'no href' }] }), "'links[0].href' is missing or blank"],
    [trigger({ images: 'nope' }), "'images' must be an array"],
  ])('rejects invalid event %#', async (event, error) => {
    const { status, body } = await enqueue(event);
    expect(status).toBe(400);
    expect(body.status).toBe('invalid event');
    expect(body.message).toBe('Event object is invalid');
    expect(body.errors?.some((e) => e.startsWith(error))).toBe(true);
    expect(emu.events).toHaveLength(0);
  });

  it('reports every problem at once', async () => {
    const { body } = await enqueue({ routing_key: 'bad-key', event_action: 'trigger', payload: {} });
    expect(body.errors).toEqual([
      "Length of 'routing_key' is incorrect (should be 32 characters)",
      "'routing_key' cannot contain non-alphanumeric characters.",
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' is missing or blank",
    ]);
  });

  it('accepts the optional payload fields', async () => {
    const payload = {
      summary: 's',
      source: 'eafix',
      severity: 'warning',
      timestamp: '2024-01-02T03:04:05.678+00:00',
      component: 'api',
      group: 'prod',
      class: 'latency',
      custom_details: { p95_ms: 640 },
    };
    expect((await enqueue(trigger({ payload, images: [{ src: 'https://x/y.png' }] }))).status).toBe(202);
    expect(emu.events[0]?.payload).toEqual(payload);
  });

  it('rejects non-JSON bodies with 400', async () => {
    const { status, body } = await enqueue('{not json', true);
    expect(status).toBe(400);
    expect(body.status).toBe('invalid event');
    expect(emu.requests[0]).toMatchObject({ status: 400, body: '{not json' });
  });

  it('rejects well-formed keys that are not configured', async () => {
    await emu.stop();
    emu = new PagerDutyEmulator({ routingKeys: [KEY] });
    await emu.start();
    expect((await enqueue(trigger())).status).toBe(202);
    const other = await enqueue(trigger({ routing_key: 'Z'.repeat(32) }));
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual(['Invalid routing key']);
  });
});

describe('PagerDutyEmulator failure injection', () => {
  it('rate-limits per routing key over a rolling minute', async () => {
    let now = 1_000_000;
    await emu.stop();
    emu = new PagerDutyEmulator({ rateLimitPerMinute: 2, now: () => now });
    await emu.start();
    expect((await enqueue(trigger())).status).toBe(202);
    expect((await enqueue(trigger())).status).toBe(202);
    const limited = await enqueue(trigger());
    expect(limited.status).toBe(429);
    expect(limited.body.status).toBe('throttle event');
    expect((await enqueue(trigger({ routing_key: 'Q'.repeat(32) }))).status).toBe(202);
    now += 60_001;
    expect((await enqueue(trigger())).status).toBe(202);
    expect(emu.events).toHaveLength(4);
  });

  it('fails the next n requests with the given status, then processes normally', async () => {
    emu.failNext(2, 503);
    expect((await enqueue(trigger())).status).toBe(503);
    expect((await enqueue(trigger())).status).toBe(503);
    expect((await enqueue(trigger())).status).toBe(202);
    expect(emu.requests.map((r) => r.status)).toEqual([503, 503, 202]);
    expect(emu.pages()).toHaveLength(1);
  });

  it('refuses connections while down and recovers on the same url', async () => {
    const url = emu.url;
    await enqueue(trigger());
    await emu.goDown();
    const err = await enqueue(trigger()).catch((e: unknown) => e);
    expect(((err as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await emu.comeUp();
    expect(emu.url).toBe(url);
    expect((await enqueue(trigger())).status).toBe(202);
    expect(emu.events).toHaveLength(2);
  });

  it('answers 404 off the enqueue path', async () => {
    const res = await fetch(`${emu.url}/v1/enqueue`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });
});

describe('PagerDutyEmulator.waitFor', () => {
  it('resolves immediately for an event already received', async () => {
    await enqueue(trigger({ dedup_key: 'early' }));
    await expect(emu.waitFor((e) => e.dedup_key === 'early', { timeoutMs: 50 })).resolves.toMatchObject({
      outcome: 'opened',
    });
  });

  it('resolves when a matching event arrives later', async () => {
    const waiting = emu.waitFor((e) => e.event_action === 'resolve');
    await enqueue(trigger({ dedup_key: 'k' }));
    await enqueue({ routing_key: KEY, event_action: 'resolve', dedup_key: 'k' });
    await expect(waiting).resolves.toMatchObject({ dedup_key: 'k', outcome: 'resolved' });
    expect(emu.listenerCount('event')).toBe(0);
  });

  it('rejects descriptively on timeout', async () => {
    await enqueue(trigger({ dedup_key: 'other' }));
    await expect(emu.waitFor((e) => e.dedup_key === 'missing', { timeoutMs: 30 })).rejects.toThrow(
      /no matching event within 30ms; events received: trigger\(other\) "API p95/,
    );
    expect(emu.listenerCount('event')).toBe(0);
  });
});
