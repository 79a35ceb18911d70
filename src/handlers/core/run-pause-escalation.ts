import type { EscalatePause } from '../../jobs/run-pause-sweeper.ts';
import type { ActionDeps } from './action-deps.ts';

/**
 * An undecided pause past its expiry becomes an incident (the incident flow: war room, reminders,
 * paging by severity) that names the run, the question and its thread. The pause id is the incident's
 * request id, so a repeated escalation (a crash before it was marked) finds the same incident.
 */
export function escalatePauseToIncident(deps: Pick<ActionDeps, 'incidents'>): EscalatePause {
  return async (run, pause) => {
    const where = run.thread ? ` Thread: channel ${run.thread.channel}, ts ${run.thread.ts}.` : '';
    const environment = (run.input as { environment?: unknown } | null)?.environment;
    const incident = await deps.incidents.open({
      title: `Undecided: ${run.action} run ${run.id} is paused${typeof environment === 'string' ? ` (${environment})` : ''}`,
      severity: 'high',
      type: 'ops',
      systems: [],
      description: `Run ${run.id} (${run.action}, requested by <@${run.requestedBy}>) paused at step ${pause.stepIndex + 1} (${pause.stepId}) and nobody decided before ${pause.expiresAt.toISOString()}: ${pause.question}${where} Decide with its buttons or \`/eafix runs ${run.id}\`.`,
      requestedBy: run.requestedBy,
      requestId: `run-pause:${pause.id}`,
      teamId: run.teamId,
      ...(run.thread ? { originChannel: run.thread.channel } : {}),
    });
    return `incident ${incident.id}`;
  };
}
