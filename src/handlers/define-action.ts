import type { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { Reply } from './reply.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Notifier } from './notifier.ts';
import type { Authorizer } from '../permissions/authorizer.ts';
import type { ApprovalStore, ApprovalWorkflow, BreakGlassLog, PlanItem, Risk } from '../permissions/approval-types.ts';
import type { PlatformState } from './platform-state.ts';
import type { Channels } from '../config/policy.ts';
import type { Topology } from '../config/topology.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Runs } from './runs.ts';
import type { IncidentService } from './incidents/incident-service.ts';
import type { MonitoringDeps } from './monitoring/monitoring-deps.ts';
import type { SlackInstallationProbe } from './monitoring/slack-installation.ts';

/** The runbook chapters, in the order `/eafix help` lists them. */
export const chapters = [
  'Deployment',
  'Monitoring',
  'Troubleshooting',
  'Disaster Recovery',
  'Maintenance',
  'Security Incident Response',
  'Incidents',
  'Bot',
] as const;
export type Chapter = (typeof chapters)[number];

export type { Risk };

export interface Invoker {
  userId: string;
  teamId: string;
  channelId: string;
  /** From a slash command or click: lets an action open a modal (valid for three seconds). */
  triggerId?: string;
}

export interface ActionContext {
  requestId: string;
  invoker: Invoker;
  logger: Logger;
  deps: ActionDeps;
}

export interface ActionDefinition<Input = unknown> {
  /** The words users type after `/eafix`: `rollback`, `incident create`. */
  id: string;
  chapter: Chapter;
  summary: string;
  /** Names given, in order, to positional words: `scale <service> <replicas>`. */
  positional?: readonly string[];
  /** The last positional takes every remaining word, joined by spaces: `help incident create`. */
  positionalRest?: boolean;
  input: z.ZodType<Input>;
  risk: Risk;
  permission: string;
  /** Complete example invocations (without `/eafix`), the first one shown in errors. */
  examples: readonly string[];
  /** Read-only and quick actions: run and reply. */
  run?: (input: Input, context: ActionContext) => Promise<Reply>;
  /** Planned actions: whether a second person must approve (may depend on the input). */
  approval?: ApprovalMode | ((input: Input, plan: PlanItem[]) => ApprovalMode);
  /** The exact changes the action will make, computed from the world as it is now. Approvers approve this. */
  plan?: (input: Input, context: ActionContext) => Promise<PlanItem[]>;
  /** Makes the planned changes (or enqueues a run that will). Called only with a plan that was just recomputed. */
  execute?: (input: Input, context: ExecuteContext) => Promise<Reply>;
}

export type ApprovalMode = 'none' | 'two-person';

export interface ExecuteContext extends ActionContext {
  plan: PlanItem[];
  approvalId?: string;
  /** Who approved the plan, for announcements. */
  approvers?: string[];
  breakGlass?: boolean;
  /** Where progress goes: the approval message's thread, when there is one. */
  thread?: { channel: string; ts: string };
}

/** Identity function that keeps `Input` inferred from the zod schema. */
export function defineAction<Input>(definition: ActionDefinition<Input>): ActionDefinition<Input> {
  return definition;
}

// The registry holds actions of many input types; `run` is only called with input its own schema parsed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDefinition<any>;

/** The actions the bot knows, as actions and the invocation path look them up (ActionRegistry). */
export interface ActionLookup {
  readonly actions: readonly AnyAction[];
  get(id: string): AnyAction | undefined;
  /** Longest match of leading words against action ids; `rest` holds the words after the id. */
  resolve(words: string[]): { action: AnyAction; rest: string[] } | undefined;
  /** The closest action ids to what was typed, best first. */
  suggest(words: string[], limit?: number): string[];
}

/** Capabilities actions may use, wired by hand in start-bot.ts. Later features add theirs here. */
export interface ActionDeps {
  registry: ActionLookup;
  audit: AuditLog;
  authorizer: Authorizer;
  approvals: ApprovalStore;
  approvalService: ApprovalWorkflow;
  breakGlass: BreakGlassLog;
  platform: PlatformState;
  notifier: Notifier;
  channels: Channels;
  topology: Topology;
  cluster: Cluster;
  runs: Runs;
  /** Role → Kubernetes identity for impersonated writes (policy `kubernetes.impersonate`). */
  impersonation?: Record<string, { user: string; groups: string[] }>;
  /** Incidents: open (rollback's last step), update, escalate, resolve. Absent only where not wired. */
  incidents?: IncidentService;
  /** Digests, KPIs and doctor (start-monitoring.ts). Absent only where not wired. */
  monitoring?: MonitoringDeps;
  /** Doctor: the Slack installation's identity and scopes as Slack reports them now. */
  slackInstallation?: SlackInstallationProbe;
  version: { name: string; version: string; commit?: string | undefined; startedAt: Date };
  now: () => Date;
}
