import type { Policy } from '../../config/policy.ts';
import type { CheckResult } from './doctor-checks.ts';
import type { ScopeNeed, SlackIdentityReport, SlackInstallationProbe } from './slack-installation.ts';

const usesUsergroups = (policy: Pick<Policy, 'rbac' | 'incidents'>) =>
  policy.rbac.bindings.some((b) => b.usergroups.length > 0) ||
  policy.incidents.responseTeams.some((t) => t.usergroups.length > 0) ||
  Boolean(policy.incidents.escalation.seniorEngineering);

/** The scopes this policy's features need, each with the reason doctor gives when it is missing. */
export function requiredScopes(policy: Pick<Policy, 'rbac' | 'incidents'>): ScopeNeed[] {
  const needs: ScopeNeed[] = [
    { scope: 'commands', why: 'the /eafix command' },
    { scope: 'chat:write', why: 'replies, approval messages and run threads' },
    { scope: 'channels:read', why: 'channel restrictions and finding war rooms' },
    { scope: 'groups:read', why: 'finding war rooms among private channels' },
    { scope: 'channels:manage', why: 'creating and setting up incident war rooms' },
    { scope: 'pins:write', why: 'pinning the incident template in war rooms' },
    { scope: 'files:write', why: 'long logs, audit exports and postmortem drafts' },
    {
      scope: 'channels:history',
      why: 'finding its own earlier post after Slack lost an answer, so nothing is posted twice',
    },
    { scope: 'groups:history', why: 'the same in private channels' },
  ];
  if (usesUsergroups(policy))
    needs.push({ scope: 'usergroups:read', why: 'role bindings and response teams given as user groups' });
  return needs;
}

const REINSTALL =
  'Add the scope in manifest.yml (or the app\'s "OAuth & Permissions" page) and reinstall the app to the workspace.';

/** Installation identity and scopes: pass, or warn with the missing scope and what it is for. */
export function slackInstallationChecks(report: SlackIdentityReport, needs: readonly ScopeNeed[]): CheckResult[] {
  const parts = [
    `team ${report.teamName ? `${report.teamName} ` : ''}(${report.teamId})`,
    report.enterpriseId ? `enterprise ${report.enterpriseId}` : 'no Enterprise Grid',
    `app ${report.appId ?? 'unknown'}`,
    ...(report.botUserId ? [`bot <@${report.botUserId}>`] : []),
  ];
  const identity: CheckResult = report.appId
    ? { name: 'Slack installation', status: 'pass', detail: parts.join(', ') }
    : {
        name: 'Slack installation',
        status: 'warn',
        detail: parts.join(', '),
        advice: 'auth.test reported no app id: set slack.appId in the policy so requests for other apps are refused.',
      };
  if (!report.scopes) {
    return [
      identity,
      {
        name: 'Slack scopes',
        status: 'warn',
        detail: "Slack did not report the token's scopes (no x-oauth-scopes header).",
        advice: 'Check the token is a bot token (xoxb-).',
      },
    ];
  }
  const granted = new Set(report.scopes);
  const missing = needs.filter((n) => !granted.has(n.scope));
  const unneeded = report.scopes.filter((s) => !needs.some((n) => n.scope === s));
  const scopes: CheckResult = missing.length
    ? {
        name: 'Slack scopes',
        status: 'warn',
        detail: `missing ${missing.map((m) => `\`${m.scope}\` (${m.why})`).join(', ')}; granted: ${report.scopes.join(', ')}`,
        advice: REINSTALL,
      }
    : { name: 'Slack scopes', status: 'pass', detail: `granted: ${report.scopes.join(', ')}` };
  const extra: CheckResult[] = unneeded.length
    ? [
        {
          name: 'Slack scopes (least privilege)',
          status: 'warn',
          detail: `granted but not needed: ${unneeded.join(', ')}`,
          advice: "Remove them from the app's scopes and reinstall.",
        },
      ]
    : [];
  return [identity, scopes, ...extra];
}

/** Doctor's entry point: asks Slack (bounded, never throws) and reports identity and scopes. */
export async function slackChecks(
  probe: SlackInstallationProbe | undefined,
  timeoutMs = 5_000,
): Promise<CheckResult[]> {
  if (!probe) return [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return slackInstallationChecks(await Promise.race([probe.inspect(), deadline]), probe.requiredScopes);
  } catch (error) {
    const e = error as { message?: string; data?: { error?: string } };
    return [
      {
        name: 'Slack installation',
        status: 'fail',
        detail: `auth.test failed: ${e.data?.error ?? e.message ?? String(error)}`,
        advice: 'Check SLACK_BOT_TOKEN and that Slack is reachable from the bot.',
      },
    ];
  } finally {
    clearTimeout(timer);
  }
}
