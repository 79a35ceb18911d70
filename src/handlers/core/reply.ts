/** Block Kit JSON, built by presenters; handlers never import Slack SDK types. */
export type Block = { type: string } & Record<string, unknown>;

export interface Reply {
  /** Fallback text for notifications and screen readers; always set. */
  text: string;
  blocks?: Block[];
  /** Ephemeral unless the action says the channel should see it. */
  visibility?: 'ephemeral' | 'in_channel';
  /** A file to share in the thread (long logs, exports, postmortems). */
  file?: { filename: string; content: string; title?: string };
  /**
   * The thread it was asked in already shows the answer (a run's status message, posted there): no reply
   * of its own in that thread, which would only take a post from the channel's one-per-second budget.
   */
  shownInThread?: boolean;
}

export const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
export const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
export const header = (text: string): Block => ({
  type: 'header',
  text: { type: 'plain_text', text: text.slice(0, 150) },
});
export const divider = (): Block => ({ type: 'divider' });

/** Splits long mrkdwn into sections that respect Block Kit's 3000-character limit, on line breaks. */
export function sections(text: string, limit = 3000): Block[] {
  const blocks: Block[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (candidate.length > limit && current) {
      blocks.push(section(current));
      current = line.slice(0, limit);
    } else {
      current = candidate.slice(0, limit);
    }
  }
  if (current) blocks.push(section(current));
  return blocks;
}
