/**
 * The `surface` and `action` labels of a Slack request for the ack-latency histogram, from the parsed
 * body. Values are bounded: commands name a registry action (or `unknown`), clicks their action_id
 * without per-item indexes, modals their callback_id, events their type.
 */
export interface RequestLabels {
  surface: 'command' | 'click' | 'modal' | 'event' | 'other';
  action: string;
}

const bounded = (value: unknown): string => {
  const text = typeof value === 'string' ? value.replace(/(:\d+)+$/, '') : '';
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(text) ? text : 'other';
};

export function slackRequestLabels(
  body: Record<string, unknown>,
  resolveCommand: (words: string[]) => string | undefined,
): RequestLabels {
  if (typeof body.command === 'string') {
    const words = String(body.text ?? '')
      .trim()
      .split(/\s+/)
      .filter((w) => w && !w.startsWith('-'));
    return { surface: 'command', action: words.length ? (resolveCommand(words) ?? 'unknown') : 'help' };
  }
  if (body.type === 'block_actions') {
    const first = Array.isArray(body.actions) ? (body.actions[0] as { action_id?: unknown } | undefined) : undefined;
    return { surface: 'click', action: bounded(first?.action_id) };
  }
  if (body.type === 'view_submission' || body.type === 'view_closed') {
    return { surface: 'modal', action: bounded((body.view as { callback_id?: unknown } | undefined)?.callback_id) };
  }
  if (body.type === 'event_callback')
    return { surface: 'event', action: bounded((body.event as { type?: unknown } | undefined)?.type) };
  return { surface: 'other', action: 'other' };
}
