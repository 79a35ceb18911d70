/**
 * A maintenance window's run: one run kind per window of the policy, its steps the window's runbook
 * steps in order, each guarded by the overrun check (all but the step that restores service).
 */
import type { MaintenancePolicy } from '../../config/maintenance-policy.ts';
import type { RunKind } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { ActionStep } from '../core/define-action.ts';
import { maintenanceStateNote } from './window-failure.ts';
import { checkOverrun } from './window-overrun.ts';
import { windowRunInput, type WindowRunInput } from './window-input.ts';
import { estimateOf, WINDOW_STEPS } from './window-steps.ts';

export const windowRunKindName = (window: string): string => `maintenance-window:${window}`;

export function windowRunKind(window: string, policy: MaintenancePolicy): RunKind<ActionDeps, WindowRunInput> {
  const ids = policy.windows[window]?.steps ?? [];
  const turnsMaintenanceOn = ids.includes('maintenance-on');
  const steps = ids.flatMap((id) =>
    WINDOW_STEPS[id].steps.map((step, i): ActionStep<WindowRunInput> => {
      // Restoring service always runs; the other steps check the clock before they start.
      if (id === 'maintenance-off' || i > 0) return step;
      return {
        ...step,
        run: async (ctx) => {
          await checkOverrun(ctx, step.title, estimateOf(ctx.deps, id), turnsMaintenanceOn);
          return step.run(ctx);
        },
      };
    }),
  );
  return {
    kind: windowRunKindName(window),
    steps,
    parseInput: (stored) => windowRunInput.parse(stored),
    target: (input) => `maintenance:${input.environment}`,
    onBusy: 'queue',
    describeFailure: async (context) =>
      turnsMaintenanceOn &&
      context.completedSteps.has('maintenance-on') &&
      !context.completedSteps.has('maintenance-off')
        ? maintenanceStateNote(context)
        : undefined,
  };
}

/** Every window's run kind, for the run worker. */
export function windowRunKinds(policy: MaintenancePolicy): RunKind<ActionDeps, WindowRunInput>[] {
  return Object.keys(policy.windows).map((window) => windowRunKind(window, policy));
}
