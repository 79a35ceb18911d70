import { AppError, isAppError } from '../../app-error.ts';
import type { ActionContext } from '../core/define-action.ts';
import type { ClickOrigin } from '../core/click-origin.ts';
import type { Incident } from './incident-types.ts';

const NOT_BOUND =
  "That button does not belong to this incident's war-room message (a stale or altered message). Nothing was done.";

/**
 * The incident a button click acts on. Incident buttons live only on a war room's template and checklist
 * messages, and only while the incident is open: the click must come from one of those messages, and its
 * value must name that war room's incident. Anything else (an altered value, a message of another
 * incident, a button the message no longer shows) is refused and audited, and nothing is done.
 */
export async function clickedIncident(
  ctx: ActionContext,
  click: ClickOrigin,
  id: string | undefined,
): Promise<Incident> {
  const named = (id ?? '').slice(0, 40);
  const { incident, why } = await bindClick(ctx, click, named);
  if (incident && !why) return incident;
  await ctx.deps.audit.record({
    requestId: ctx.requestId,
    teamId: ctx.invoker.teamId,
    channelId: ctx.invoker.channelId,
    userId: ctx.invoker.userId,
    action: 'incident.click-refused',
    arguments: { incident: named },
    outcome: 'rejected:not_bound',
    detail: why ?? 'no incident',
  });
  if (incident?.status === 'resolved' && incident.id === named.toUpperCase())
    throw new AppError(
      'incident_resolved',
      `${incident.id} is resolved; its buttons no longer apply. Nothing was done.`,
    );
  throw new AppError('incident_not_bound', NOT_BOUND);
}

async function bindClick(ctx: ActionContext, click: ClickOrigin, named: string) {
  if (click.kind !== 'message' || !click.channel) return { why: 'not a war-room message' };
  const incident = await warRoomIncident(ctx, click.channel);
  if (!incident) return { why: `channel ${click.channel} is not a war room` };
  let why: string | undefined;
  if (incident.id !== named.toUpperCase()) why = `button names ${named} but the war room is ${incident.id}'s`;
  else if (click.ts !== incident.templateTs && click.ts !== incident.checklistTs)
    why = `message ${click.ts} is not ${incident.id}'s template or checklist`;
  else if (incident.status === 'resolved') why = `${incident.id} is resolved: its messages show no buttons`;
  return { incident, why };
}

/** The war room's incident, or undefined for any other channel (outages are not "not a war room"). */
async function warRoomIncident(ctx: ActionContext, channelId: string): Promise<Incident | undefined> {
  try {
    return await ctx.deps.incidents.find({ channelId });
  } catch (error) {
    if (isAppError(error) && error.code === 'incident_unknown_channel') return undefined;
    throw error;
  }
}
