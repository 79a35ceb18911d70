/**
 * Slack trouble on demand, for resilience tests: what Slack does during an incident on its side
 * (HTTP 5xx from its edge, 429 storms with long Retry-After, `internal_error`) and what the network does
 * (connections reset, or the call processed but its answer lost on the way back).
 */
export type SlackFailureKind =
  /** HTTP `status` (default 503) from Slack's edge; the call is not processed. */
  | 'http-5xx'
  /** HTTP 429 with `Retry-After: retryAfterSeconds`; the call is not processed. */
  | 'ratelimited'
  /** HTTP 200 `{ ok: false, error: 'internal_error' }`; the call is not processed. */
  | 'internal_error'
  /** The connection is reset before Slack reads the call. */
  | 'reset'
  /** Slack processes the call (a post lands) but the answer never reaches the caller. */
  | 'lost-answer'
  /** Slack holds the call unprocessed until `until` settles (a slow edge), then processes and answers it. */
  | 'stall';

export interface SlackFailureRule {
  kind: SlackFailureKind;
  /** Web API method (`chat.postMessage`), or every method when absent. */
  method?: string;
  /** Only calls naming this channel id. */
  channel?: string;
  /** How many calls it hits before it is spent; until cleared when absent. */
  times?: number;
  status?: number;
  retryAfterSeconds?: number;
  /** For `stall`: the call is held until this settles. */
  until?: Promise<unknown>;
}

export interface ActiveFailure extends SlackFailureRule {
  /** Calls this rule has hit so far. */
  hits: number;
}

export class FailureInjector {
  private rules: ActiveFailure[] = [];

  /** Adds a rule; returns a function that removes it. */
  add(rule: SlackFailureRule): () => void {
    const active: ActiveFailure = { ...rule, hits: 0 };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule a call trips, counted as a hit; undefined when the call goes through. */
  take(method: string, channel: string | undefined): ActiveFailure | undefined {
    const rule = this.rules.find(
      (r) =>
        (!r.method || r.method === method) &&
        (!r.channel || r.channel === channel) &&
        (r.times === undefined || r.hits < r.times),
    );
    if (rule) rule.hits += 1;
    return rule;
  }
}
