import type { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { ActionDeps } from './action-deps.ts';
import type { Reply } from './reply.ts';
import type { PlanItem } from '../../permissions/approval-types.ts';

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

export type Risk = 'read' | 'change' | 'destructive';

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
