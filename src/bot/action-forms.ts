import type { SlackListeners } from './slack-router.ts';
import type { Logger } from '../logger.ts';
import type { ActionDeps } from '../handlers/core/action-deps.ts';
import type { Invoker } from '../handlers/core/define-action.ts';
import type { StateValues } from '../handlers/core/modal-blocks.ts';
import { invoke } from '../handlers/core/invoke.ts';
import { formErrors } from '../handlers/core/parse-command.ts';
import { DEPLOY_MODAL_ID, deployFormErrors, readDeployModal } from '../handlers/deployment/deploy-modal.ts';
import { CREATE_MODAL_ID, readIncidentModal } from '../handlers/incidents/incident-modal.ts';
import { invokeDepsOf, requestScope, type BotServices } from './request-scope.ts';

/** A modal that submits one action's input: how to read its fields, and checks beyond the action's schema. */
interface ActionForm {
  callbackId: string;
  actionId: string;
  read: (values: StateValues) => Record<string, unknown>;
  check?: (raw: Record<string, unknown>, deps: ActionDeps) => Record<string, string>;
}

const forms: ActionForm[] = [
  { callbackId: CREATE_MODAL_ID, actionId: 'incident create', read: readIncidentModal },
  {
    callbackId: DEPLOY_MODAL_ID,
    actionId: 'deploy',
    read: readDeployModal,
    check: (raw, deps) => deployFormErrors(raw, deps.topology),
  },
];

/**
 * The action forms (declare an incident, deploy): the fields are checked with the action's own schema and
 * the form's checks, and mistakes go back to the form's fields (`response_action: errors`). A valid form
 * closes and runs through the one invocation path as the submitter, in the channel it was opened from;
 * the outcome is told there (the modal is gone by then).
 */
export function registerActionForms(app: SlackListeners, services: BotServices, baseLogger: Logger): void {
  const { deps } = services;
  for (const form of forms) {
    app.view(form.callbackId, async ({ ack, body, view, context }) => {
      const raw = form.read(view.state.values as never);
      const action = deps.registry.get(form.actionId);
      const errors = action ? { ...formErrors(action, raw), ...form.check?.(raw, deps) } : {};
      if (Object.keys(errors).length > 0) {
        await ack({ response_action: 'errors', errors });
        return;
      }
      await ack();
      const { requestId, logger } = requestScope(context, baseLogger);
      const invoker: Invoker = {
        userId: body.user.id,
        teamId: body.team?.id ?? body.user.team_id ?? '',
        channelId: view.private_metadata,
      };
      const { reply } = await invoke(
        {
          command: { actionId: form.actionId, input: raw },
          invoker,
          requestId,
          logger,
          // A submission the gate could not vouch for (Redis and PostgreSQL down) changes nothing.
          replayUnverified: context.replayUnverified === true,
        },
        invokeDepsOf(services),
      );
      if (!invoker.channelId) return;
      const content = { text: reply.text, ...(reply.blocks ? { blocks: reply.blocks } : {}) };
      try {
        if (reply.visibility === 'in_channel') await deps.notifier.post({ channel: invoker.channelId, ...content });
        else await deps.notifier.ephemeral({ channel: invoker.channelId, user: invoker.userId, ...content });
      } catch (err) {
        logger.warn({ err, form: form.callbackId }, 'form reply could not be delivered');
      }
    });
  }
}
