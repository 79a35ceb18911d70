import type { IncidentPolicy } from '../../config/incident-policy.ts';
import type { SlackDirectory } from '../../permissions/directory.ts';
import { isSlackUserId } from '../../permissions/slack-user.ts';
import type { Incident } from './incident-types.ts';

/** The policy's users and user groups for this incident's type and severity, as written there. */
export function responseTeamRefs(policy: IncidentPolicy, incident: Pick<Incident, 'type' | 'severity'>): string[] {
  const refs = policy.responseTeams
    .filter((team) => team.types.includes(incident.type) && team.severities.includes(incident.severity))
    .flatMap((team) => [...team.users, ...team.usergroups]);
  return [...new Set(refs)];
}

/** Everyone to invite: the refs' users plus group members (usergroups.users.list); unresolvable groups are reported. */
export async function expandMembers(
  directory: SlackDirectory,
  refs: string[],
): Promise<{ users: string[]; problems: string[] }> {
  const users: string[] = [];
  const problems: string[] = [];
  for (const ref of refs) {
    if (isSlackUserId(ref)) {
      users.push(ref);
      continue;
    }
    try {
      const members = await directory.usergroupMembers(ref);
      if (members.length === 0) problems.push(`user group ${ref} has no members (or does not exist)`);
      users.push(...members);
    } catch (error) {
      problems.push(`could not read user group ${ref}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { users: [...new Set(users)], problems };
}
