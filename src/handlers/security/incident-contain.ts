import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { canonicalJson } from '../../canonical-json.ts';
import { defineAction, type ActionContext } from '../core/define-action.ts';
import { invoke } from '../core/invoke.ts';
import { parseCommand } from '../core/parse-command.ts';
import { ApprovalService } from '../../permissions/approval-service.ts';
import { incidentFor } from '../incidents/incident-inputs.ts';

/*
 * A containment button on a security incident's checklist. The click is bound to the war room's own
 * checklist (incidentFor with the click); the policy's command it stands for then runs as the clicker
 * through the one invocation path, as if typed: its own permission, channel restrictions, audit and
 * (destructive) two-person approval apply. So this action's own permission is the floor anyone shown
 * incidents holds and grants no cluster rights (`clusterIdentity: 'command'`): someone who may not run
 * the command is refused by it, and every press, refused or not, is on the incident's timeline.
 */
/**
 * The request an earlier press of the same containment left waiting for a second person, if any: the
 * button stays on the checklist, and a second press must not ask for the same change twice.
 */
async function waitingRequest(command: string, { deps, invoker }: ActionContext) {
  let parsed;
  try {
    parsed = parseCommand(command, deps.registry);
  } catch {
    return undefined; // Not a valid command: running it says why.
  }
  const wanted = canonicalJson(parsed.input);
  return (await deps.approvals.listPending(200)).find(
    (r) => r.teamId === invoker.teamId && r.action === parsed.action.id && canonicalJson(r.arguments) === wanted,
  );
}

export const incidentContain = defineAction({
  id: 'incident contain',
  kind: 'change',
  chapter: 'Security Incident Response',
  summary: "Run one of a security incident's containment actions (its checklist's buttons)",
  positional: ['option'],
  input: z.object({
    id: z
      .string()
      .regex(/^inc-\d{8}-\d{3,}$/i, 'must be an incident id like INC-20261123-003')
      .describe('the incident whose checklist the button is on'),
    option: z.coerce.number().int().min(0).max(50).describe("the button's place among the containment actions"),
  }),
  risk: 'change',
  permission: 'incident.list',
  typed: false,
  clusterIdentity: 'command',
  examples: ['incident contain 0 --id INC-20261123-003'],
  run: async ({ id, option: n }, ctx) => {
    if (!ctx.click)
      throw new AppError('button_only', 'Containment is done with the buttons on the incident checklist.');
    const service = ctx.deps.incidents;
    const incident = await incidentFor(ctx, id);
    const option = service.containment(incident)[n];
    if (!option)
      throw new AppError('containment_gone', 'That containment action is no longer offered (policy changed?).');
    const waiting = await waitingRequest(option.command, ctx);
    if (waiting)
      throw new AppError(
        'containment_pending',
        `*${option.label}* was already requested by <@${waiting.requester}>: approval \`${waiting.id}\` is waiting for a second person. Nothing new was requested.`,
      );
    const outcome = await invoke(
      {
        command: { text: option.command },
        invoker: { ...ctx.invoker, channelId: service.containmentChannel(incident) },
        requestId: ctx.requestId,
        logger: ctx.logger,
      },
      { deps: ctx.deps, approvals: new ApprovalService(ctx.deps) },
    );
    await service.recordContainment(incident, option, ctx.invoker.userId, outcome.outcome, outcome.reply.text);
    return outcome.reply;
  },
});
