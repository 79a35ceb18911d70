/**
 * The note a failed window run ends with when it had turned maintenance mode on and did not reach its
 * last step: the state it really left, read from the run's record. Stopped at the overrun question, the
 * stop turned maintenance off (its failure says so) or tried to and failed; otherwise nobody turned it off.
 */
import type { FailureContext } from '../../jobs/run-definition.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { WindowRunInput } from './window-input.ts';
import { SERVICE_RESTORED, STOP } from './window-overrun.ts';

export async function maintenanceStateNote({
  deps,
  runId,
  input,
}: FailureContext<ActionDeps, WindowRunInput>): Promise<string> {
  const check = '(check `/eafix maintenance status`)';
  const turnOff = 'turn it off with `/eafix maintenance disable` once the platform is healthy';
  const stopped = (await deps.runs.latestPause(runId))?.decision?.optionId === STOP;
  if (!stopped)
    return `The window turned maintenance mode on and did not reach its last step: if it is still on ${check}, ${turnOff}.`;
  const run = await deps.runs.get(runId);
  const failed = run?.steps.find((s) => s.status === 'failed');
  if (failed?.error?.includes(SERVICE_RESTORED))
    return `Maintenance mode is off again: stopping the window turned it off, so the platform serves traffic. The remaining steps did not run; run the whole window later with \`/eafix maintenance run ${input.window} --now\`.`;
  return `Stopping the window could not turn maintenance mode off, so it is most likely still on ${check}: ${turnOff}.`;
}
