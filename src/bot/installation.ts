import type { RequestIdentity } from './inbound-payloads.ts';

/** Who this bot is in Slack, learned from auth.test at start-up. */
export interface InstallationIdentity {
  teamId: string;
  teamName?: string;
  enterpriseId?: string;
  appId?: string;
  botUserId?: string;
  /** The bot token's scopes, from auth.test's x-oauth-scopes header (when Slack sent it). */
  scopes?: string[];
}

export interface AuthTestResult {
  team_id?: string;
  team?: string;
  enterprise_id?: string;
  app_id?: string;
  user_id?: string;
  response_metadata?: { scopes?: string[] };
}

/** The part of a Web API client that auth.test needs (the real WebClient fits). */
export interface AuthTester {
  auth: { test(): Promise<AuthTestResult> };
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** Calls auth.test; throws when Slack does not say which team the token belongs to. */
export async function learnInstallation(client: AuthTester): Promise<InstallationIdentity> {
  return installationFrom(await client.auth.test());
}

/** The installation an auth.test answer describes; throws when it does not name the team. */
export function installationFrom(result: AuthTestResult): InstallationIdentity {
  const teamId = text(result.team_id);
  if (!teamId) throw new Error('auth.test did not name the team this bot token belongs to');
  const optional = {
    teamName: text(result.team),
    enterpriseId: text(result.enterprise_id),
    appId: text(result.app_id),
    botUserId: text(result.user_id),
    scopes: result.response_metadata?.scopes?.filter(Boolean),
  };
  return { teamId, ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) };
}

/** The installation plus what the policy also allows (more teams of the same Enterprise Grid). */
export interface InstallationPolicy {
  identity: InstallationIdentity;
  allowedTeams: readonly string[];
}

/**
 * Why a request is not for this installation, or undefined when it is. Checked before routing: a
 * request from another workspace, organisation or app never reaches a listener.
 */
export function installationMismatch(policy: InstallationPolicy, request: RequestIdentity): string | undefined {
  const { identity } = policy;
  const teams = new Set([identity.teamId, ...policy.allowedTeams]);
  if (!teams.has(request.teamId)) return `team ${request.teamId || '(none)'} is not this installation's`;
  if ((request.enterpriseId ?? '') !== (identity.enterpriseId ?? '')) {
    return `enterprise ${request.enterpriseId ?? '(none)'} is not this installation's`;
  }
  if (identity.appId && request.appId !== identity.appId) return `app ${request.appId} is not this app`;
  return undefined;
}
