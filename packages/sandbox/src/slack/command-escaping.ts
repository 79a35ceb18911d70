import type { SlackState } from './state.ts';

/**
 * What Slack does to a slash command's text when the command has `should_escape: true`: & < > become
 * entities, and the mentions a client autocompletes become `<@U…|name>`, `<#C…|name>` and
 * `<!subteam^S…|@handle>`. Names that match nobody stay as typed, as in Slack.
 */
export function escapeCommandText(state: SlackState, text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped
    .replace(/(^|[\s"'])@([a-z0-9][a-z0-9._-]*)/g, (whole, before: string, name: string) => {
      const user = [...state.users.values()].find((u) => u.name === name && !u.deleted);
      if (user) return `${before}<@${user.id}|${user.name}>`;
      const group = [...state.usergroups.values()].find((g) => g.handle === name);
      return group ? `${before}<!subteam^${group.id}|@${group.handle}>` : whole;
    })
    .replace(/(^|[\s"'])#([a-z0-9][a-z0-9_-]*)/g, (whole, before: string, name: string) => {
      const channel = [...state.channels.values()].find((c) => c.name === name && !c.is_im);
      return channel ? `${before}<#${channel.id}|${channel.name}>` : whole;
    });
}
