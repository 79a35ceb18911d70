import { z } from 'zod';

/**
 * The shapes of what Slack sends us, checked before any listener runs: a payload that does not fit is
 * answered with a quiet 200 and an audit line, never a TypeError deep inside a listener. Field bounds
 * are Slack's own limits (or ours where the field is free text), so nothing oversized reaches the bot.
 */
export const LIMITS = {
  commandText: 4_000,
  actionValue: 2_000,
  blockId: 255,
  actionId: 255,
  privateMetadata: 3_000,
  inputValue: 3_000,
} as const;

const id = (pattern: RegExp, what: string) => z.string().regex(pattern, `must be a Slack ${what} id`);
const teamId = id(/^T[A-Z0-9]{1,30}$/, 'team');
const enterpriseId = id(/^E[A-Z0-9]{1,30}$/, 'enterprise');
const appId = id(/^A[A-Z0-9]{1,30}$/, 'app');
const userId = id(/^[UW][A-Z0-9]{1,30}$/, 'user');
const channelId = id(/^[CDG][A-Z0-9]{1,30}$/, 'channel');
const triggerId = z.string().min(1).max(200);
const ts = z.string().regex(/^\d{1,12}\.\d{1,8}$/, 'must be a Slack message ts');
const bounded = (max: number) => z.string().max(max, `must be at most ${max} characters`);
/** Form fields arrive as '' when Slack has nothing to say (enterprise_id outside Enterprise Grid). */
const optionalFormId = (schema: z.ZodType<string>) => z.union([schema, z.literal('')]).optional();

export const slashCommandSchema = z.looseObject({
  command: z.string().regex(/^\/[a-z0-9_-]{1,32}$/),
  text: bounded(LIMITS.commandText),
  user_id: userId,
  channel_id: channelId,
  team_id: teamId,
  enterprise_id: optionalFormId(enterpriseId),
  api_app_id: appId,
  trigger_id: triggerId,
  response_url: z.url(),
});

const interactionBase = {
  user: z.looseObject({ id: userId, team_id: teamId.optional() }),
  team: z.looseObject({ id: teamId }).nullable().optional(),
  enterprise: z.looseObject({ id: enterpriseId }).nullable().optional(),
  api_app_id: appId,
};

const blockAction = z.looseObject({
  action_id: bounded(LIMITS.actionId).min(1),
  block_id: bounded(LIMITS.blockId),
  type: z.string().max(50),
  value: bounded(LIMITS.actionValue).optional(),
});

export const blockActionsSchema = z
  .looseObject({
    type: z.literal('block_actions'),
    ...interactionBase,
    trigger_id: triggerId,
    actions: z.array(blockAction).min(1).max(25),
    container: z.union([
      z.looseObject({
        type: z.literal('message'),
        message_ts: ts,
        channel_id: channelId,
        is_ephemeral: z.boolean().optional(),
      }),
      z.looseObject({ type: z.literal('view'), view_id: z.string().min(1).max(100) }),
    ]),
    channel: z.looseObject({ id: channelId }).optional(),
    view: z
      .looseObject({ id: z.string().min(1).max(100), type: z.string(), blocks: z.array(z.unknown()).optional() })
      .optional(),
    response_url: z.url().optional(),
  })
  // Clicks on messages always come with the channel and a response_url; clicks in views with the view.
  .refine((p) => (p.container.type === 'message' ? Boolean(p.channel && p.response_url) : Boolean(p.view)), {
    message: 'a message click needs channel and response_url; a view click needs view',
    path: ['container'],
  });

const viewStateValues = z.record(
  z.string().max(LIMITS.blockId),
  z.record(
    z.string().max(LIMITS.actionId),
    z.looseObject({ type: z.string(), value: bounded(LIMITS.inputValue).nullable().optional() }),
  ),
);

const submittedView = z.looseObject({
  id: z.string().min(1).max(100),
  type: z.string(),
  callback_id: bounded(LIMITS.actionId),
  private_metadata: bounded(LIMITS.privateMetadata).optional(),
  state: z.looseObject({ values: viewStateValues }),
});

export const viewSubmissionSchema = z.looseObject({
  type: z.literal('view_submission'),
  ...interactionBase,
  trigger_id: triggerId,
  view: submittedView,
});

export const viewClosedSchema = z.looseObject({
  type: z.literal('view_closed'),
  ...interactionBase,
  view: submittedView.partial({ state: true }),
});

export const eventCallbackSchema = z.looseObject({
  type: z.literal('event_callback'),
  team_id: teamId,
  api_app_id: appId,
  enterprise_id: enterpriseId.nullable().optional(),
  context_enterprise_id: enterpriseId.nullable().optional(),
  event_id: z.string().regex(/^Ev[A-Z0-9]{1,40}$/, 'must be a Slack event id'),
  event: z.looseObject({
    type: z.string().min(1).max(100),
    user: userId.optional(),
    tab: z.string().max(50).optional(),
  }),
});

export type InboundKind = 'command' | 'block_actions' | 'view_submission' | 'view_closed' | 'event';

/** Who a request says it is for: compared with our installation before anything is routed. */
export interface RequestIdentity {
  teamId: string;
  enterpriseId?: string;
  appId: string;
}

export interface InboundRequest {
  kind: InboundKind;
  identity: RequestIdentity;
  /** Unique per delivery (trigger_id, event_id): a second delivery with the same key is a replay. */
  deliveryKey: string;
  /** The Slack user, when the request has one (audit rows). */
  userId?: string;
  channelId?: string;
  /** What the request asks for, for audit rows: `/eafix`, `approval:approve`, `event:app_home_opened`. */
  label: string;
}

export type Classified = { ok: true; request: InboundRequest } | { ok: false; kind: string; problems: string[] };

const issues = (error: z.ZodError) =>
  error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`);

/** Validates a parsed body and says what it is; anything unrecognised is refused with the reasons. */
export function classifyInbound(body: Record<string, unknown>): Classified {
  if (typeof body.command === 'string') {
    const parsed = slashCommandSchema.safeParse(body);
    if (!parsed.success) return { ok: false, kind: 'command', problems: issues(parsed.error) };
    const c = parsed.data;
    return {
      ok: true,
      request: {
        kind: 'command',
        identity: {
          teamId: c.team_id,
          appId: c.api_app_id,
          ...(c.enterprise_id ? { enterpriseId: c.enterprise_id } : {}),
        },
        deliveryKey: `trigger:${c.trigger_id}`,
        userId: c.user_id,
        channelId: c.channel_id,
        label: c.command,
      },
    };
  }
  switch (body.type) {
    case 'block_actions': {
      const parsed = blockActionsSchema.safeParse(body);
      if (!parsed.success) return { ok: false, kind: 'block_actions', problems: issues(parsed.error) };
      const p = parsed.data;
      return {
        ok: true,
        request: {
          kind: 'block_actions',
          identity: interactionIdentity(p),
          deliveryKey: `trigger:${p.trigger_id}`,
          userId: p.user.id,
          ...(p.container.type === 'message' ? { channelId: p.container.channel_id } : {}),
          label: p.actions.map((a) => a.action_id).join(','),
        },
      };
    }
    case 'view_submission':
    case 'view_closed': {
      const schema = body.type === 'view_submission' ? viewSubmissionSchema : viewClosedSchema;
      const parsed = schema.safeParse(body);
      if (!parsed.success) return { ok: false, kind: body.type, problems: issues(parsed.error) };
      const p = parsed.data as z.infer<typeof viewClosedSchema> & { trigger_id?: string };
      return {
        ok: true,
        request: {
          kind: body.type,
          identity: interactionIdentity(p),
          // view_closed carries no trigger_id; a view closes once, so its id identifies the delivery.
          deliveryKey: p.trigger_id ? `trigger:${p.trigger_id}` : `view_closed:${p.view.id}`,
          userId: p.user.id,
          label: `view:${p.view.callback_id}`,
        },
      };
    }
    case 'event_callback': {
      const parsed = eventCallbackSchema.safeParse(body);
      if (!parsed.success) return { ok: false, kind: 'event_callback', problems: issues(parsed.error) };
      const e = parsed.data;
      const enterprise = e.enterprise_id ?? e.context_enterprise_id;
      return {
        ok: true,
        request: {
          kind: 'event',
          identity: { teamId: e.team_id, appId: e.api_app_id, ...(enterprise ? { enterpriseId: enterprise } : {}) },
          deliveryKey: `event:${e.event_id}`,
          ...(e.event.user ? { userId: e.event.user } : {}),
          label: `event:${e.event.type}`,
        },
      };
    }
    default:
      return {
        ok: false,
        kind: typeof body.type === 'string' ? body.type.slice(0, 50) : 'unknown',
        problems: ['not a request type this app handles'],
      };
  }
}

type InteractionIds = {
  user: { team_id?: string | undefined };
  team?: { id: string } | null | undefined;
  enterprise?: { id: string } | null | undefined;
  api_app_id: string;
};

/** Org-wide installs send `team: null`; the clicker's own team is then the one that counts. */
function interactionIdentity(p: InteractionIds): RequestIdentity {
  const teamId = p.team?.id ?? p.user.team_id ?? '';
  return { teamId, appId: p.api_app_id, ...(p.enterprise?.id ? { enterpriseId: p.enterprise.id } : {}) };
}
