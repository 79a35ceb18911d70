/**
 * A maintenance window's plan, as approvers see it: when it runs, every step with its command in order,
 * and what the security manifests would change (`kubectl diff --server-side`). Times are absolute, so
 * the same window planned again (at approval) hashes the same.
 */
import type { PlanItem } from '../../permissions/approval-types.ts';
import type { ActionContext } from '../core/define-action.ts';
import { manifestDiff, type ManifestSet } from './manifest-apply.ts';
import { describeOccurrence, windowSpec, type Occurrence } from './window-times.ts';
import { estimateOf, WINDOW_STEPS } from './window-steps.ts';

const DIFFED: Partial<Record<string, ManifestSet>> = {
  'security-patches': 'securityPatches',
  'security-updates': 'securityUpdates',
};

export async function windowPlan(
  window: string,
  occurrence: Occurrence | undefined,
  { deps, requestId, invoker }: ActionContext,
): Promise<PlanItem[]> {
  const spec = windowSpec(deps, window);
  const hours = Math.round((spec.duration / 3_600_000) * 10) / 10;
  const when = occurrence
    ? describeOccurrence(occurrence)
    : `now, once approved, for ${hours} h (steps that would end after that ask first)`;
  const items: PlanItem[] = [
    {
      description: `run the ${window} maintenance window in ${spec.environment}: ${when}`,
      change: {
        window,
        environment: spec.environment,
        ...(occurrence
          ? { startsAt: occurrence.startsAt.toISOString(), endsAt: occurrence.endsAt.toISOString() }
          : { durationMs: spec.duration }),
      },
    },
  ];
  for (const id of spec.steps) {
    const step = WINDOW_STEPS[id];
    const title = step.steps[0]?.title ?? id;
    items.push({
      description: `step ${title}: ${step.describe(deps)} (~${Math.round(estimateOf(deps, id) / 60_000)} min)`,
      change: { step: id },
    });
    const set = DIFFED[id];
    if (set) {
      const diff = await manifestDiff({ requestId, requestedBy: invoker.userId, deps }, spec.environment, set);
      items.push({
        description: `what ${deps.maintenance.policy[set].source} changes (server-side diff):\n${diff.replace(/^/gm, '    ')}`,
        change: { diff: set, text: diff },
      });
    }
  }
  return items;
}
