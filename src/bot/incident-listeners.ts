import type { BlockButtonAction } from '@slack/bolt';
import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import type { Invoker } from '../handlers/core/define-action.ts';
import type { Reply } from '../handlers/core/reply.ts';
import { errorReply } from '../handlers/core/error-reply.ts';
import { invoke } from '../handlers/core/invoke.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

type Respond = (message: {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks?: unknown[];
}) => Promise<unknown>;
type ButtonArgs = {
  ack: () => Promise<void>;
  body: BlockButtonAction;
  action: { value?: string };
  context: Record<string, unknown>;
  respond: Respond;
};

const split = (value: string) => {
  const [id = '', n = '0'] = value.split('|');
  return { id, n: Number(n) };
};

/** Incident buttons (acknowledge, commander, checklist, contacts, containment); the declare-incident form is in action-forms.ts. */
export function registerIncidentListeners(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const { deps } = services;
  const scope = (context: Record<string, unknown>) => requestScope(context, baseLogger);
  const run = async (
    actionId: string,
    input: Record<string, unknown>,
    invoker: Invoker,
    requestId: string,
    logger: Logger,
  ) => (await invoke({ command: { actionId, input }, invoker, requestId, logger }, invokeDepsOf(services))).reply;
  const invokerOf = (body: BlockButtonAction): Invoker => ({
    userId: body.user.id,
    teamId: body.team?.id ?? body.user.team_id ?? '',
    channelId: body.channel?.id ?? '',
  });
  /** Clicks answer through response_url (works whether or not the clicker is a channel member); modals by ephemeral. */
  const tell = async (invoker: Invoker, reply: Reply, logger: Logger, respond?: Respond) => {
    if (!invoker.channelId) return;
    const content = { text: reply.text, ...(reply.blocks ? { blocks: reply.blocks } : {}) };
    try {
      if (reply.visibility === 'in_channel') await deps.notifier.post({ channel: invoker.channelId, ...content });
      else if (respond) await respond({ response_type: 'ephemeral', replace_original: false, ...content });
      else await deps.notifier.ephemeral({ channel: invoker.channelId, user: invoker.userId, ...content });
    } catch (err) {
      logger.warn({ err }, 'incident reply could not be delivered');
    }
  };
  /**
   * Incident buttons live only on the war room's template and checklist messages: the incident is the
   * one whose war room and message the click came from, and the button's value must name that incident.
   * Returns the refusal to show, having audited it, or undefined when the click is bound.
   */
  const unbound = async (
    body: BlockButtonAction,
    incidentId: string,
    requestId: string,
  ): Promise<Reply | undefined> => {
    const container = body.container as {
      type?: string;
      channel_id?: string;
      message_ts?: string;
      is_ephemeral?: boolean;
    };
    let why: string | undefined;
    if (container.type !== 'message' || container.is_ephemeral || !container.channel_id) why = 'not a war-room message';
    else {
      const incident = await deps.incidents.find({ channelId: container.channel_id }).catch(() => undefined);
      if (!incident) why = `channel ${container.channel_id} is not a war room`;
      else if (incident.id !== incidentId.toUpperCase())
        why = `button names ${incidentId.slice(0, 40)} but the war room is ${incident.id}'s`;
      else if (container.message_ts !== incident.templateTs && container.message_ts !== incident.checklistTs)
        why = `message ${container.message_ts} is not ${incident.id}'s template or checklist`;
    }
    if (!why) return undefined;
    const invoker = invokerOf(body);
    await deps.audit
      .record({
        requestId,
        teamId: invoker.teamId,
        channelId: invoker.channelId,
        userId: invoker.userId,
        action: 'incident.click-refused',
        arguments: { incident: incidentId.slice(0, 40) },
        outcome: 'rejected:not_bound',
        detail: why,
      })
      .catch((err: unknown) => baseLogger.error({ err }, 'audit of a refused incident click failed'));
    return {
      text: ":no_entry: That button does not belong to this incident's war-room message (a stale or altered message). Nothing was done.",
    };
  };
  /** A button that runs a quick incident action with input derived from the button value. */
  const button =
    (actionId: string, toInput: (value: string, invoker: Invoker) => Record<string, unknown>) =>
    async ({ ack, body, action, context, respond }: ButtonArgs) => {
      await ack();
      const { requestId, logger } = scope(context);
      const invoker = invokerOf(body);
      const refusal = await unbound(body, split(action.value ?? '').id, requestId);
      const reply = refusal ?? (await run(actionId, toInput(action.value ?? '', invoker), invoker, requestId, logger));
      await tell(invoker, reply, logger, respond);
    };

  app.action<BlockButtonAction>(
    'incident:ack',
    button('incident ack', (value) => ({ id: value })),
  );
  app.action<BlockButtonAction>(
    'incident:commander',
    button('incident commander', (value, invoker) => ({ id: value, user: invoker.userId })),
  );
  app.action<BlockButtonAction>(
    /^incident:phase:\d+$/,
    button('incident phase', (value) => ({ id: split(value).id, phase: split(value).n + 1 })),
  );

  // Paging an emergency contact is the `contacts page` action, with its own permission and audit row.
  app.action<BlockButtonAction>(
    /^incident:page:\d+$/,
    button('contacts page', (value) => ({ id: value.split('|')[0], contact: value.split('|')[1] ?? '' })),
  );

  // Containment runs the policy's command as the clicker, through the same path as typing it: RBAC,
  // channel restrictions, audit, and (for destructive actions) a two-person approval.
  app.action<BlockButtonAction>(/^incident:contain:\d+$/, async ({ ack, body, action, context, respond }) => {
    await ack();
    const { requestId, logger } = scope(context);
    const invoker = invokerOf(body);
    const { id, n } = split((action as { value?: string }).value ?? '');
    const refusal = await unbound(body, id, requestId);
    if (refusal) {
      await tell(invoker, refusal, logger, respond);
      return;
    }
    try {
      const service = deps.incidents;
      const incident = await service.find({ id, channelId: invoker.channelId });
      const option = service.containment(incident)[n];
      if (!option) {
        await tell(
          invoker,
          { text: 'That containment action is no longer offered (policy changed?).' },
          logger,
          respond,
        );
        return;
      }
      const outcome = await invoke(
        {
          command: { text: option.command },
          invoker: { ...invoker, channelId: service.containmentChannel(incident) },
          requestId,
          logger,
        },
        invokeDepsOf(services),
      );
      await service.recordContainment(incident, option, invoker.userId, outcome.outcome, outcome.reply.text);
      await tell(invoker, outcome.reply, logger, respond);
    } catch (error) {
      await tell(invoker, errorReply(error, logger), logger, respond);
    }
  });
}
