import type { IncidentDeps } from './incident-deps.ts';
import { reminderIntervalMs } from './incident-timing.ts';
import type { IncidentType, Severity } from './incident-types.ts';

export interface OpenIncident {
  title: string;
  severity: Severity;
  type: IncidentType;
  systems: string[];
  requestedBy: string;
  description?: string;
  /** The same request id opens the same incident: a retried caller never gets a second one. */
  requestId: string;
  teamId?: string;
  originChannel?: string;
  /** At most one open incident of this title: while one is open, it is the answer (see NewIncident). */
  onePerOpenTitle?: boolean;
}

export interface OpenedIncident {
  id: string;
  /** The war room, when it exists already (the same request opened the incident before). */
  channelId?: string | undefined;
  /** False when the request id had already opened this incident, or it was open already (`alreadyOpen`). */
  created: boolean;
  /** Another declaration opened it and it is still open (asked `onePerOpenTitle`). */
  alreadyOpen: boolean;
  /** The run setting the war room up; undefined when it was set up already. */
  setupRunId?: string | undefined;
}

/** Declares an incident (once per request id) and starts the run that sets its war room up. */
export async function declareIncident(deps: IncidentDeps, request: OpenIncident): Promise<OpenedIncident> {
  const { store, now, policy } = deps;
  const at = now();
  const interval = reminderIntervalMs(policy, request);
  const { incident, created } = await store.create(
    {
      requestId: request.requestId,
      title: request.title,
      description: request.description ?? '',
      severity: request.severity,
      type: request.type,
      systems: request.systems,
      requestedBy: request.requestedBy,
      teamId: request.teamId ?? '',
      ...(request.originChannel ? { originChannel: request.originChannel } : {}),
      ...(request.onePerOpenTitle ? { onePerOpenTitle: true } : {}),
    },
    at,
    new Date(at.getTime() + interval),
  );
  const alreadyOpen = !created && incident.requestId !== request.requestId;
  // Written alongside the war room's start (the timeline orders by time, and `at` is the declaration's):
  // rollback's incident step waits for both.
  const declared = created
    ? store.addEvent({
        incidentId: incident.id,
        at,
        kind: 'declared',
        actor: request.requestedBy,
        text: `declared ${request.severity} ${request.type} incident "${request.title}"${request.systems.length ? ` affecting ${request.systems.join(', ')}` : ''}`,
        onceKey: 'declared',
      })
    : Promise.resolve(false);
  // The war room is a resumable run on the job engine: Slack's slowness never holds up the caller, and
  // a crash resumes it at the step it was in. The request that opened the incident starts it once (asked
  // again for an open incident: that declaration's run, by its key, so one that stopped before starting
  // it gets it started here, and one already started is the answer).
  if (incident.setup.announced) {
    await declared;
    return { id: incident.id, channelId: incident.channelId, created, alreadyOpen };
  }
  const [{ runId }] = await Promise.all([
    deps.startSetup(incident.id, {
      requestedBy: incident.requestedBy,
      requestId: incident.requestId,
      teamId: incident.teamId,
    }),
    declared,
  ]);
  return { id: incident.id, channelId: incident.channelId, created, alreadyOpen, setupRunId: runId };
}
