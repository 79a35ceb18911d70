import type { PlanItem } from '../../permissions/approval-types.ts';

/** A change to one service of one environment. */
export interface ServiceTarget {
  environment: string;
  service: string;
}

/**
 * A service change is one change per service and environment. A gateway colour is the environment's own
 * (a deploy or rollback scales it and moves traffic to or from it): scaling or restarting one claims the
 * environment, so `scale blue 0` never runs beside a rollback to blue.
 */
export const serviceTarget = (input: ServiceTarget): string =>
  input.service === 'blue' || input.service === 'green'
    ? `env:${input.environment}`
    : `service:${input.environment}/${input.service}`;

/**
 * The run's input with the service named as the approved plan resolved it (`change.service`, the topology's
 * name): `scale eafix-risk-manager` and `scale risk-manager` are one deployment, so one target.
 */
export function withPlannedService<Input extends { service: string }>(input: Input, plan: readonly PlanItem[]): Input {
  const service = plan[0]?.change?.['service'];
  return typeof service === 'string' ? { ...input, service } : input;
}
