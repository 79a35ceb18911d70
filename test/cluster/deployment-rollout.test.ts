import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { rolloutOf, selectorMatches } from '../../src/cluster/deployment-rollout.ts';

const deadline = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x-1" has timed out progressing.' };

function deployment(generation: number, status: V1Deployment['status'], replicas = 3): V1Deployment {
  return { metadata: { name: 'x', generation }, spec: { replicas, selector: {}, template: {} }, status };
}

describe('rolloutOf (kubectl rollout status)', () => {
  it('waits for a new generation to be observed before trusting an old failure', () => {
    const stale = deployment(3, { observedGeneration: 2, conditions: [deadline] });
    expect(rolloutOf(stale).state).toBe('progressing');
    expect(rolloutOf(deployment(3, { observedGeneration: 3, conditions: [deadline] }))).toEqual({ state: 'failed', message: deadline.message });
  });

  it('follows kubectl’s order: updated, old replicas terminating, available', () => {
    expect(rolloutOf(deployment(2, { observedGeneration: 2, updatedReplicas: 1, replicas: 3 })).message).toBe('1 out of 3 new replicas have been updated');
    expect(rolloutOf(deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 })).message).toBe(
      '1 old replicas are pending termination',
    );
    expect(rolloutOf(deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).message).toBe(
      '2 of 3 updated replicas are available',
    );
    expect(rolloutOf(deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 })).state).toBe('complete');
  });

  it('treats missing counts as 0, so a deployment scaled to 0 is complete', () => {
    expect(rolloutOf(deployment(2, { observedGeneration: 2 }, 0)).state).toBe('complete');
    expect(rolloutOf(deployment(2, { observedGeneration: 2 }, 2)).state).toBe('progressing');
  });
});

describe('selectorMatches', () => {
  it('applies matchLabels and matchExpressions', () => {
    const selector = { matchLabels: { app: 'gw' }, matchExpressions: [{ key: 'version', operator: 'In', values: ['blue', 'green'] }] };
    expect(selectorMatches(selector, { app: 'gw', version: 'blue' })).toBe(true);
    expect(selectorMatches(selector, { app: 'gw', version: 'red' })).toBe(false);
    expect(selectorMatches(selector, { app: 'gw' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, { app: 'gw' })).toBe(true);
    expect(selectorMatches(undefined, { app: 'gw' })).toBe(false);
  });
});
