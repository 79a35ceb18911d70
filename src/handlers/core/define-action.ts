import type { RecordAuditWith } from '../../audit/audit-log.ts';
import type { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { Reply } from './reply.ts';
import type { ClickOrigin } from './click-origin.ts';
import type { ApprovalOptions, PlanItem, Risk } from '../../permissions/approval-types.ts';
import type { FailureContext, OnBusy, RunKind, StepDefinition } from '../../jobs/run-definition.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Notifier } from './notifier.ts';
import type { Authorizer } from '../../permissions/authorizer.ts';
import type { ApprovalStore, BreakGlassLog } from '../../permissions/approval-types.ts';
import type { Channels } from '../../config/policy.ts';
import type { Topology } from '../../config/topology.ts';
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterSites } from './cluster-sites.ts';
import type { Runs } from './runs.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import type { MonitoringDeps } from '../monitoring/monitoring-deps.ts';
import type { SlackInstallationProbe } from '../monitoring/slack-installation.ts';
import type { DeployPolicy, PlatformCliPolicy, PlatformMetricsPolicy } from '../../config/platform-policy.ts';
import type { DrDeps } from '../disaster-recovery/dr-deps.ts';
import type { MaintenanceDeps } from '../maintenance/maintenance-deps.ts';

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

/** Each chapter's folder under src/handlers/: an action's file lives in its chapter's (a test checks it). */
export const chapterFolders: Readonly<Record<Chapter, string>> = {
  Deployment: 'deployment',
  Monitoring: 'monitoring',
  Troubleshooting: 'troubleshooting',
  'Disaster Recovery': 'disaster-recovery',
  Maintenance: 'maintenance',
  'Security Incident Response': 'security',
  Incidents: 'incidents',
  // Not `bot/`: src/bot/ is the Slack (Bolt) adapter; these are the bot's own commands.
  Bot: 'bot-commands',
};

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
  /** Where the button that invoked the action sat (buttons only): the action binds its value to it. */
  click?: ClickOrigin;
  /** What the action's `prepare` read before `run` (change actions only). */
  prepared?: Promise<unknown>;
  /**
   * For an action that `recordsStart`: makes its change with the request's `started` audit row in the
   * change's transaction (AuditLog.recordWith). Never called, or failed, and invoke records the row before
   * the request's closing one, so every request still shows both. Such an action's `deps.audit` writes the
   * started row first, should it record another row of the request before its change.
   */
  recordStartWith?: RecordAuditWith;
}

interface ActionBase<Input> {
  /** The words users type after `/eafix`: `rollback`, `incident create`. */
  id: string;
  /** The runbook chapter; the action's file lives in that chapter's folder (chapterFolders). */
  chapter: Chapter;
  summary: string;
  /** Names given, in order, to positional words: `scale <service> <replicas>`. */
  positional?: readonly string[];
  /** The last positional takes every remaining word, joined by spaces: `help incident create`. */
  positionalRest?: boolean;
  input: z.ZodType<Input>;
  permission: string;
  /** Complete example invocations (without `/eafix`), the first one shown in errors. */
  examples: readonly string[];
  /**
   * `false`: a button's (or its dialog's) action, never typed: the click binds it to what the person was
   * shown. Typing it is refused with a pointer to the button; help and the App Home leave it out.
   */
  typed?: false;
  /**
   * Whose cluster rights its changes use, when not its own permission's. `'requester'`: the person who
   * asked for them (deciding on an approval or a paused run executes someone else's request).
   * `'command'`: a button that runs a command as the clicker (containment), checked under that command's
   * own permission. Either way its own permission grants no cluster rights (the RBAC generator leaves it
   * out). Default: as the invoker, under its own permission.
   */
  clusterIdentity?: 'requester' | 'command';
}

/** Reads and answers; changes nothing, so it is audited after its answer. */
export interface QueryAction<Input = unknown> extends ActionBase<Input> {
  kind: 'query';
  risk: 'read';
  run: (input: Input, context: ActionContext) => Promise<Reply>;
}

/** A quick change one person may make (incident logistics, cancelling a run): audited before it runs. */
export interface ChangeAction<Input = unknown> extends ActionBase<Input> {
  kind: 'change';
  risk: 'change';
  /**
   * Reads that start before `run` (and so while the request's audit row is written, unless the action
   * `recordsStart`), before anything may change (an approval click reads its request and the plan again):
   * `run` finds them as `context.prepared`. Reads only;
   * their failure matters only to a `run` that awaits them.
   */
  prepare?: (input: Input, context: ActionContext) => Promise<unknown>;
  /**
   * The action records the request's `started` audit row itself, in the transaction of its change
   * (`context.recordStartWith`), instead of invoke recording it first: a round trip and a commit fewer
   * before the change.
   */
  recordsStart?: boolean;
  run: (input: Input, context: ActionContext) => Promise<Reply>;
}

interface PlannedBase<Input> extends ActionBase<Input> {
  kind: 'planned';
  risk: 'change' | 'destructive';
  /** Whether a second person must approve (may depend on the input and the plan). */
  approval?: ApprovalMode | ((input: Input, plan: PlanItem[]) => ApprovalMode);
  /**
   * The approval's own expiry and approver count for this input and requester (a window's scheduled
   * plan expires when the window opens, two approvers); kept whenever the request is asked again.
   */
  approvalOptions?: (input: Input, context: ActionContext) => ApprovalOptions | undefined;
  /** The exact changes the action will make, computed from the world as it is now. Approvers approve this. */
  plan: (input: Input, context: ActionContext) => Promise<PlanItem[]>;
  /**
   * `plan` only reads (no Job, no write of any kind): an authorised approver's click may read it again
   * while the click's audit row is written, before anything is decided. Leave unset when in doubt.
   */
  planReadsOnly?: true;
  /**
   * A typed command that leaves something for a form (deploy's checklist): opens the form (a modal) and
   * says so, instead of planning; undefined plans as given. The form's submission comes back through
   * invoke as structured input. Not offered under break-glass, which must be complete as typed.
   */
  form?: (input: Input, context: ActionContext) => Promise<Reply | undefined>;
}

/** A planned change made at once (a platform switch). Called only with a plan that was just recomputed. */
export interface ImmediateAction<Input = unknown> extends PlannedBase<Input> {
  execute: (input: Input, context: ExecuteContext) => Promise<Reply>;
  steps?: never;
}

/** The steps of a resumable action: typed by its input, given the actions' dependencies. */
export type ActionStep<Input> = StepDefinition<ActionDeps, Input>;

/**
 * A planned change made as a resumable run of checkpointed, idempotent steps on the job engine: the
 * run is named by the action id, and the worker re-reads its stored input with the action's schema.
 */
export interface ResumableAction<Input = unknown> extends PlannedBase<Input> {
  // Typed by the schema alone: a step factory's own type parameter must not widen Input.
  steps: readonly ActionStep<NoInfer<Input>>[];
  /** What the run changes, for one change per target: `env:production`, `service:production/x`. */
  target?: (input: NoInfer<Input>) => string | undefined;
  /** When the target is busy: refuse (default) or wait in line. */
  onBusy?: OnBusy;
  /** Every target under a prefix it also changes at once (see RunKind). */
  covers?: (input: NoInfer<Input>) => string | undefined;
  /** A failed run's account of the state it left and the next command to run. */
  describeFailure?: (context: FailureContext<ActionDeps, Input>) => Promise<string | undefined>;
  /** A failed step pauses the run with a question instead of failing it (see RunKind). */
  onStepFailed?: RunKind<ActionDeps, Input>['onStepFailed'];
  /** What a decision on that question does (see RunKind). */
  resolveFailure?: RunKind<ActionDeps, Input>['resolveFailure'];
  /** The run's input from the approved plan (rollback fixes its replica count); default: the input as given. */
  runInput?: (input: Input, plan: PlanItem[]) => Input;
  execute?: never;
}

export type PlannedAction<Input = unknown> = ImmediateAction<Input> | ResumableAction<Input>;

export type ActionDefinition<Input = unknown> = QueryAction<Input> | ChangeAction<Input> | PlannedAction<Input>;

export type ApprovalMode = 'none' | 'two-person';

export interface ExecuteContext extends ActionContext {
  plan: PlanItem[];
  approvalId?: string;
  /** Who approved the plan, for announcements. */
  approvers?: string[];
  breakGlass?: boolean;
  /** Where progress goes: the approval message's thread, when there is one. */
  thread?: { channel: string; ts: string };
  /**
   * Creates the run a resumable action starts in the approval's thread with the approval's `approved`
   * audit row in its transaction (a round trip and a commit fewer on the approval click's path); for
   * anything else the row is written before the action executes (executeApproved).
   */
  recordApprovalWith?: RecordAuditWith;
}

/** Identity function that keeps `Input` inferred from the zod schema and the kind's shape checked. */
export function defineAction<Input>(definition: QueryAction<Input>): QueryAction<Input>;
export function defineAction<Input>(definition: ChangeAction<Input>): ChangeAction<Input>;
export function defineAction<Input>(definition: ResumableAction<Input>): ResumableAction<Input>;
export function defineAction<Input>(definition: ImmediateAction<Input>): ImmediateAction<Input>;
export function defineAction<Input>(definition: ActionDefinition<Input>): ActionDefinition<Input> {
  return definition;
}

/** Planned actions whose changes run as resumable runs. */
export function isResumable<Input>(action: ActionDefinition<Input>): action is ResumableAction<Input> {
  return action.kind === 'planned' && action.steps !== undefined;
}

// The registry holds actions of many input types; each is only called with input its own schema parsed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDefinition<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPlannedAction = PlannedAction<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyResumableAction = ResumableAction<any>;

/** The actions the bot knows, as actions and the invocation path look them up (ActionRegistry). */
export interface ActionLookup {
  readonly actions: readonly AnyAction[];
  get(id: string): AnyAction | undefined;
  /** Longest match of leading words against action ids; `rest` holds the words after the id. */
  resolve(words: string[]): { action: AnyAction; rest: string[] } | undefined;
  /** The closest action ids to what was typed, best first. */
  suggest(words: string[], limit?: number): string[];
}

/**
 * Capabilities actions may use, built once in start-bot.ts and never changed (an action that `recordsStart`
 * gets a copy from invoke whose audit log writes its request's started row first, an approved action one
 * from executeApproved that writes the approval's row first: HeldAuditRow). Later features add theirs here.
 */
export interface ActionDeps {
  registry: ActionLookup;
  audit: AuditLog;
  authorizer: Authorizer;
  approvals: ApprovalStore;
  breakGlass: BreakGlassLog;
  notifier: Notifier;
  channels: Channels;
  topology: Topology;
  cluster: Cluster;
  /** How platform commands (`eafix-cli …`) run as Jobs: toolbox image, service account, deadline. */
  platformCli: PlatformCliPolicy;
  /** Where the platform's own trading and maintenance state is read (its metrics). */
  platformMetrics: PlatformMetricsPolicy;
  /** The deploy run's timings (rollout wait, KPI monitor) and the KPIs it watches. */
  deploySettings: DeployPolicy;
  runs: Runs;
  /** Which cluster each environment lives in (policy `kubernetes.sites`). */
  sites: ClusterSites;
  /** Role → Kubernetes identity for impersonated writes (policy `kubernetes.impersonate`). */
  impersonation?: Record<string, { user: string; groups: string[] }>;
  /** Incidents: open (rollback's last step), update, escalate, resolve. */
  incidents: IncidentService;
  /** Digests, KPIs and doctor (start-monitoring.ts). */
  monitoring: MonitoringDeps;
  /** Doctor: the Slack installation's identity and scopes as Slack reports them now. */
  slackInstallation: SlackInstallationProbe;
  version: { name: string; version: string; commit?: string | undefined; startedAt: Date };
  now: () => Date;
  /** Backups, verifications and drills (start-dr.ts). */
  dr: DrDeps;
  /** Maintenance windows: their policy and occurrences (start-maintenance.ts). */
  maintenance: MaintenanceDeps;
}
