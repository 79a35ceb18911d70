import { AppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import type { Pager } from '../handlers/incidents/incident-types.ts';

export interface PagerSettings {
  /** Events API v2 enqueue URL. */
  url: string;
  /** Integration (routing) key: a secret, never logged. */
  routingKey?: string | undefined;
  timeoutMs?: number;
}

/** PagerDuty Events API v2 over fetch. Dedup keys make every call safe to repeat. */
export class EventsApiPager implements Pager {
  constructor(
    private readonly settings: PagerSettings,
    private readonly logger: Logger,
  ) {}

  get configured(): boolean {
    return Boolean(this.settings.routingKey);
  }

  trigger(event: Parameters<Pager['trigger']>[0]): Promise<void> {
    return this.send({
      event_action: 'trigger',
      dedup_key: event.dedupKey,
      payload: {
        summary: event.summary,
        source: event.source,
        severity: event.severity,
        custom_details: event.details,
        timestamp: new Date().toISOString(),
      },
      ...(event.link ? { links: [{ href: event.link, text: 'War room' }] } : {}),
      client: 'eafix-chatops',
    });
  }

  acknowledge(dedupKey: string): Promise<void> {
    return this.send({ event_action: 'acknowledge', dedup_key: dedupKey });
  }

  resolve(dedupKey: string): Promise<void> {
    return this.send({ event_action: 'resolve', dedup_key: dedupKey });
  }

  private async send(body: Record<string, unknown>): Promise<void> {
    if (!this.settings.routingKey)
      throw new AppError('pagerduty_unconfigured', 'PagerDuty is not configured (no routing key).');
    let response: Response;
    try {
      response = await fetch(this.settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ routing_key: this.settings.routingKey, ...body }),
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new AppError('pagerduty_unavailable', 'PagerDuty could not be reached.', {
        kind: 'upstream',
        cause: error,
      });
    }
    const reply = await response.text();
    if (response.status === 202) {
      this.logger.info({ action: body.event_action, dedupKey: body.dedup_key }, 'pagerduty event accepted');
      return;
    }
    // 429 and 5xx are worth retrying; a 400 (bad key or event) is a configuration problem.
    const kind = response.status === 429 || response.status >= 500 ? 'upstream' : 'domain';
    this.logger.warn(
      { status: response.status, action: body.event_action, reply: reply.slice(0, 500) },
      'pagerduty event refused',
    );
    throw new AppError('pagerduty_refused', `PagerDuty refused the event (HTTP ${response.status}).`, { kind });
  }
}
