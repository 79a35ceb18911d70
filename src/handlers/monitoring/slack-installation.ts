/** Who the bot token says it is (auth.test) and the scopes Slack reported with it (x-oauth-scopes). */
export interface SlackIdentityReport {
  teamId: string;
  teamName?: string;
  enterpriseId?: string;
  appId?: string;
  botUserId?: string;
  scopes?: string[];
}

export interface ScopeNeed {
  scope: string;
  why: string;
}

/** Doctor's view of the Slack installation: ask Slack now, compare with what the policy needs. */
export interface SlackInstallationProbe {
  inspect(): Promise<SlackIdentityReport>;
  requiredScopes: readonly ScopeNeed[];
}
