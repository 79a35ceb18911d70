import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { digestNamed } from './monitoring-deps.ts';

/** `<#C123>` for channel ids, `#name` for names (Slack only links ids). */
export const channelMention = (channel: string) =>
  /^[CG][A-Z0-9]{2,}$/.test(channel) ? `<#${channel}>` : `#${channel}`;

export const digest = defineAction({
  id: 'digest',
  kind: 'query',
  chapter: 'Monitoring',
  summary:
    'Post a digest now: the status digest, or a runbook review (security checklist, performance, capacity) by its name',
  positional: ['name'],
  input: z.object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'must be a digest name from the policy')
      .optional()
      .describe('which digest (default: the first)'),
    here: z.boolean().default(false).describe("post to this channel instead of the digest's own"),
  }),
  risk: 'read',
  permission: 'monitoring.digest',
  examples: ['digest', 'digest daily --here'],
  run: async ({ name, here }, { deps, invoker, requestId }) => {
    const monitoring = deps.monitoring;
    const spec = digestNamed(monitoring, name);
    const channel = here ? invoker.channelId : spec.channel;
    // The digest worker posts it, through the same path as the schedule (rate limits, one post per request).
    await monitoring.publisher.requestNow({ digest: spec.name, channel, requestedBy: invoker.userId, requestId });
    return {
      text: `:newspaper: Posting the *${spec.name}* digest (${spec.environment}) to ${channelMention(channel)}…`,
    };
  },
});
