import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import type { PlanItem } from './approval-types.ts';

/** What an approver approved: a plan whose hash changed since is refused at execution. */
export function planHash(plan: PlanItem[]): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}
