/** Slack channel names: lowercase letters, digits, hyphens and underscores, at most 80 characters. */
export const CHANNEL_NAME_MAX = 80;

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/**
 * The war-room name for an incident: `inc-20261123-003`, then `inc-20261123-003-2`, `-3`… when the name
 * is taken. The suffix always survives truncation, so every attempt is a distinct valid name.
 */
export function warRoomName(prefix: string, incidentId: string, attempt = 1): string {
  const suffix = attempt > 1 ? `-${attempt}` : '';
  // `INC-20261123-003` with prefix `inc` reads `inc-20261123-003`, not `inc-inc-…`.
  const base = slug(`${prefix}-${incidentId.replace(/^inc-/i, '')}`) || 'incident';
  return `${base.slice(0, CHANNEL_NAME_MAX - suffix.length).replace(/[-_]+$/, '')}${suffix}`;
}
