/** Who asked for a change and why; written onto the changed object as `eafix.io/*` annotations. */
export interface ChangeMeta {
  requestedBy: string;
  reason: string;
  /** Follows the work from Slack through jobs and audit rows into the cluster. */
  requestId: string;
  approvalId?: string;
  /** Send the write as this user (Kubernetes impersonation), so cluster RBAC applies to them too. */
  impersonate?: { user: string; groups: string[] };
}
