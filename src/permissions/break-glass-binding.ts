import { planHash } from './plan-hash.ts';
import type { BreakGlassUse } from './approval-types.ts';

const shownHash = (use: Pick<BreakGlassUse, 'plan'>) => planHash(use.plan).slice(0, 16);

/** The sign-off button's block id: binds the click to the use and the exact plan the reviewer saw. */
export const breakGlassBlockId = (use: Pick<BreakGlassUse, 'id' | 'plan'>) => `breakglass:${use.id}:${shownHash(use)}`;

/**
 * Why a sign-off click does not belong to this use, or undefined when it does. Sign-off buttons exist
 * only in the reviewer's own `/eafix approvals review` answer (ephemeral), never in a channel message.
 */
export function breakGlassClickMismatch(
  use: Pick<BreakGlassUse, 'id' | 'plan'>,
  click: { blockId: string; ephemeral: boolean },
): string | undefined {
  if (!click.ephemeral) return 'sign-off buttons are only offered in /eafix approvals review';
  if (click.blockId !== breakGlassBlockId(use))
    return `block ${click.blockId.slice(0, 80)} does not show use ${use.id} with its plan`;
  return undefined;
}
