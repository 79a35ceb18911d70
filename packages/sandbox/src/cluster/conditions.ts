/**
 * Deployment conditions, following the upstream controller: Available from
 * minAvailable, Progressing from rollout progress with a deadline that only
 * runs while a rollout is in flight.
 */
import type { Condition, DeploymentStatus } from './types.ts';

export interface ConditionInput {
  previous: Condition[];
  before: DeploymentStatus;
  after: DeploymentStatus;
  desired: number;
  minAvailable: number;
  /** A new (or re-adopted) ReplicaSet became current on this tick. */
  newSet: boolean;
  rsName: string;
  now: number;
  deadlineMs: number;
  onTimeout: () => void;
}

function next(
  prev: Condition | undefined,
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  now: string,
  touch: boolean,
): Condition {
  const status = ok ? 'True' : 'False';
  const same = prev?.status === status && prev.reason === reason;
  return {
    type,
    status,
    lastUpdateTime: same && !touch ? (prev.lastUpdateTime ?? now) : now,
    lastTransitionTime: prev?.status === status ? (prev.lastTransitionTime ?? now) : now,
    reason,
    message,
  };
}

const n = (v: number | undefined) => v ?? 0;

function madeProgress(before: DeploymentStatus, after: DeploymentStatus): boolean {
  const oldBefore = n(before.replicas) - n(before.updatedReplicas);
  const oldAfter = n(after.replicas) - n(after.updatedReplicas);
  return (
    n(after.updatedReplicas) > n(before.updatedReplicas) ||
    n(after.readyReplicas) > n(before.readyReplicas) ||
    n(after.availableReplicas) > n(before.availableReplicas) ||
    oldAfter < oldBefore
  );
}

export function nextConditions(input: ConditionInput): Condition[] {
  const { previous, before, after, desired, rsName } = input;
  const now = new Date(input.now).toISOString();
  const prevAvailable = previous.find((c) => c.type === 'Available');
  const prevProgressing = previous.find((c) => c.type === 'Progressing');

  const availableOk = n(after.availableReplicas) >= input.minAvailable;
  const available = availableOk
    ? next(
        prevAvailable,
        'Available',
        true,
        'MinimumReplicasAvailable',
        'Deployment has minimum availability.',
        now,
        false,
      )
    : next(
        prevAvailable,
        'Available',
        false,
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        now,
        false,
      );

  const complete =
    n(after.updatedReplicas) === desired && n(after.replicas) === desired && n(after.availableReplicas) === desired;
  let progressing: Condition;
  if (input.newSet) {
    progressing = next(
      prevProgressing,
      'Progressing',
      true,
      'NewReplicaSetCreated',
      `Created new replica set "${rsName}"`,
      now,
      true,
    );
  } else if (complete) {
    progressing = next(
      prevProgressing,
      'Progressing',
      true,
      'NewReplicaSetAvailable',
      `ReplicaSet "${rsName}" has successfully progressed.`,
      now,
      false,
    );
  } else if (madeProgress(before, after) || !prevProgressing) {
    progressing = next(
      prevProgressing,
      'Progressing',
      true,
      'ReplicaSetUpdated',
      `ReplicaSet "${rsName}" is progressing.`,
      now,
      true,
    );
  } else if (
    prevProgressing.reason !== 'NewReplicaSetAvailable' &&
    prevProgressing.reason !== 'ProgressDeadlineExceeded' &&
    input.now - Date.parse(prevProgressing.lastUpdateTime ?? now) > input.deadlineMs
  ) {
    progressing = next(
      prevProgressing,
      'Progressing',
      false,
      'ProgressDeadlineExceeded',
      `ReplicaSet "${rsName}" has timed out progressing.`,
      now,
      true,
    );
    input.onTimeout();
  } else {
    progressing = prevProgressing;
  }
  return [available, progressing];
}
