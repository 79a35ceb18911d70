/**
 * The last step of a configuration change's staging run: with staging passed, ask a second person to
 * approve production. That approval message is the change request (runbook: `change-request create`);
 * its id becomes the change id written on production's ConfigMap. Idempotent: a resumed step finds the
 * request it made (keyed by the run) instead of asking twice.
 */
import { AppError } from '../../app-error.ts';
import { requestApproval } from '../../permissions/request-approval.ts';
import type { ActionContext, ActionStep } from '../core/define-action.ts';
import { configPromote, type ConfigPromoteInput } from './config-promote.ts';

export interface StagedChangeInput {
  service: string;
  fromConfigmap: string;
  reason: string;
}

const SCAN = 200;

export function requestProductionStep<Input extends StagedChangeInput>(): ActionStep<Input> {
  return {
    id: 'request-production',
    title: 'Ask a second person to approve production (the change request)',
    run: async ({ input, deps, runId, requestedBy, logger }) => {
      const key = `${runId}:production`;
      const [pending, decided] = await Promise.all([
        deps.approvals.listPending(SCAN),
        deps.approvals.listDecided(SCAN),
      ]);
      const asked = [...pending, ...decided].find((r) => r.action === configPromote.id && r.requestId === key);
      const done = (id: string) => ({
        summary: `staging passed; production needs a second person's approval: change request \`${id}\` (the requester cannot approve it)`,
        output: { approval: id },
      });
      if (asked) return done(asked.id);
      const run = await deps.runs.get(runId);
      if (!run) throw new AppError('run_missing', `Run ${runId} is not in the run store.`);
      const promote: ConfigPromoteInput = {
        service: input.service,
        fromConfigmap: input.fromConfigmap,
        stagingRun: runId,
        reason: input.reason,
      };
      const invoker = { userId: requestedBy, teamId: run.teamId, channelId: run.thread?.channel || deps.channels.ops };
      const context: ActionContext = { requestId: key, invoker, logger, deps };
      const plan = await configPromote.plan(promote, context);
      const request = await requestApproval(deps, {
        action: configPromote,
        input: promote,
        plan,
        invoker,
        requestId: key,
      });
      return done(request.id);
    },
  };
}
