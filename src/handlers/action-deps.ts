import type { ActionRegistry } from './registry.ts';
import type { AuditLog } from '../store/pg-audit-log.ts';
import type { Notifier } from './notifier.ts';
import type { Authorizer } from '../permissions/authorizer.ts';
import type { ApprovalStore, BreakGlassLog } from '../permissions/approval-types.ts';
import type { ApprovalService } from '../permissions/approval-service.ts';
import type { PlatformState } from '../store/pg-platform-state.ts';
import type { Channels } from '../config/policy.ts';

/** Capabilities actions may use, wired by hand in start-bot.ts. Later features add theirs here. */
export interface ActionDeps {
  registry: ActionRegistry;
  audit: AuditLog;
  authorizer: Authorizer;
  approvals: ApprovalStore;
  approvalService: ApprovalService;
  breakGlass: BreakGlassLog;
  platform: PlatformState;
  notifier: Notifier;
  channels: Channels;
  version: { name: string; version: string; commit?: string | undefined; startedAt: Date };
  now: () => Date;
}
