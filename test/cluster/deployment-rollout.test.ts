import type { V1Deployment, V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import type { AsRead } from '../../src/cluster/as-read.ts';
import { describe, expect, it } from 'vitest';
import { podsSelectedBy, rolloutOf, selectorMatches } from '../../src/cluster/deployment-rollout.ts';

const deadline = {
  type: 'Progressing',
  status: 'False',
  reason: 'ProgressDeadlineExceeded',
  message: 'ReplicaSet "x-1" has timed out progressing.',
};

function deployment(generation: number, status: V1Deployment['status'], replicas = 3): V1Deployment {
  return { metadata: { name: 'x', generation }, spec: { replicas, selector: {}, template: {} }, status };
}

describe('rolloutOf (kubectl rollout status)', () => {
  it('waits for a new generation to be observed before trusting an old failure', () => {
    const stale = deployment(3, { observedGeneration: 2, conditions: [deadline] });
    expect(rolloutOf(stale).state).toBe('progressing');
    expect(rolloutOf(deployment(3, { observedGeneration: 3, conditions: [deadline] }))).toEqual({
      state: 'failed',
      message: deadline.message,
    });
  });

  it('follows kubectl’s order: updated, old replicas terminating, available', () => {
    expect(rolloutOf(deployment(2, { observedGeneration: 2, updatedReplicas: 1, replicas: 3 })).message).toBe(
      '1 out of 3 new replicas have been updated',
    );
    expect(
      rolloutOf(deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 }))
        .message,
    ).toBe('1 old replicas are pending termination');
    expect(
      rolloutOf(deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 }))
        .message,
    ).toBe('2 of 3 updated replicas are available');
    expect(
      rolloutOf(deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 })).state,
    ).toBe('complete');
  });

  it('treats missing counts as 0, so a deployment scaled to 0 is complete', () => {
    expect(rolloutOf(deployment(2, { observedGeneration: 2 }, 0)).state).toBe('complete');
    expect(rolloutOf(deployment(2, { observedGeneration: 2 }, 2)).state).toBe('progressing');
  });
});

describe('selectorMatches', () => {
  it('applies matchLabels and matchExpressions', () => {
    const selector = {
      matchLabels: { app: 'gw' },
      matchExpressions: [{ key: 'version', operator: 'In', values: ['blue', 'green'] }],
    };
    expect(selectorMatches(selector, { app: 'gw', version: 'blue' })).toBe(true);
    expect(selectorMatches(selector, { app: 'gw', version: 'red' })).toBe(false);
    expect(selectorMatches(selector, { app: 'gw' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, { app: 'gw' })).toBe(
      true,
    );
    expect(selectorMatches(undefined, { app: 'gw' })).toBe(false);
  });
});

describe('podsSelectedBy (the label index status uses)', () => {
  const pod = (name: string, labels: Record<string, string>): V1Pod => ({ metadata: { name, labels } });
  const pods = [
    pod('a-1', { app: 'a', tier: 'web' }),
    pod('a-2', { app: 'a', tier: 'worker' }),
    pod('b-1', { app: 'b', tier: 'web' }),
    pod('plain', {}),
  ];
  const names = (list: AsRead<V1Pod>[]) => list.map((p) => p.metadata?.name);

  it('selects what selectorMatches selects, for labels, expressions and both', () => {
    const selectors: V1LabelSelector[] = [
      { matchLabels: { app: 'a' } },
      { matchLabels: { app: 'a', tier: 'web' } },
      { matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] },
      { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      { matchLabels: { app: 'none' } },
      {},
    ];
    for (const selector of selectors) {
      expect(names(podsSelectedBy(selector, pods))).toEqual(
        names(pods.filter((p) => selectorMatches(selector, p.metadata?.labels))),
      );
    }
    expect(names(podsSelectedBy({ matchLabels: { app: 'a' } }, pods))).toEqual(['a-1', 'a-2']);
    expect(podsSelectedBy(undefined, pods)).toEqual([]);
  });

  it('sees a new pod list as new (the index belongs to one list)', () => {
    expect(names(podsSelectedBy({ matchLabels: { app: 'a' } }, pods))).toEqual(['a-1', 'a-2']);
    expect(names(podsSelectedBy({ matchLabels: { app: 'a' } }, [...pods, pod('a-3', { app: 'a' })]))).toEqual([
      'a-1',
      'a-2',
      'a-3',
    ]);
  });
});
