import { describe, expect, it } from 'vitest';
import { configDiff, diffText } from '../../../src/handlers/maintenance/config-diff.ts';
import type { ConfigMapSnapshot } from '../../../src/cluster/cluster.ts';
import { changeIdOf, dataDigest, keptVersions } from '../../../src/handlers/maintenance/config-versions.ts';

describe('configDiff', () => {
  it('shows changed lines of a changed key with context, and names added and removed keys', async () => {
    const diff = await configDiff(
      { 'limits.yaml': 'a: 1\nb: 2\nc: 3\nd: 4\n', 'old.yaml': 'x' },
      { 'limits.yaml': 'a: 1\nb: 5\nc: 3\nd: 4\n', 'new.yaml': 'y\nz' },
    );
    expect(diff.changedKeys).toEqual(['limits.yaml', 'new.yaml', 'old.yaml']);
    expect(diff.lines).toEqual([
      '@ limits.yaml',
      '  a: 1',
      '- b: 2',
      '+ b: 5',
      '  c: 3',
      '+ new.yaml: (new key, 2 line(s))',
      '- old.yaml: (key removed)',
    ]);
    expect(diff.omitted).toBe(0);
  });

  it('says when nothing differs', async () => {
    const diff = await configDiff({ k: 'v' }, { k: 'v' });
    expect(diff.same).toBe(true);
    expect(diffText(diff)).toBe('(no difference)');
  });

  it('cuts a long diff at its budget, shortens long lines and says how much it left out', async () => {
    const before = Array.from({ length: 200 }, (_, i) => `key${i}: ${'v'.repeat(300)}`).join('\n');
    const after = Array.from({ length: 200 }, (_, i) => `key${i}: ${'w'.repeat(300)}`).join('\n');
    const diff = await configDiff({ 'big.yaml': before }, { 'big.yaml': after });
    const text = diffText(diff);
    expect(diff.omitted).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(1_700);
    expect(text).toMatch(/… \d+ more line\(s\) not shown$/);
    expect(diff.lines.every((l) => l.length <= 160)).toBe(true);
  });
});

describe('config versions', () => {
  it('names a change by its approval in object-name characters, and digests data regardless of key order', () => {
    expect(changeIdOf('apr_0123456789ab', 'run_1')).toBe('apr-0123456789ab');
    expect(changeIdOf(undefined, 'run_XY')).toBe('run-xy');
    expect(dataDigest({ a: '1', b: '2' })).toBe(dataDigest({ b: '2', a: '1' }));
    expect(dataDigest({ a: '1' })).not.toBe(dataDigest({ a: '2' }));
  });

  it('lists kept versions newest first, ignoring ConfigMaps that are not kept versions', () => {
    const cm = (name: string, changeId: string | undefined, at: string): ConfigMapSnapshot => ({
      name,
      data: {},
      labels: changeId ? { 'eafix.io/change-id': changeId } : ({} as Record<string, string>),
      annotations: { 'eafix.io/changed-at': at },
      immutable: true,
      createdAt: undefined,
    });
    const kept = keptVersions([
      cm('older', 'apr-1', '2026-11-01T00:00:00.000Z'),
      cm('live', undefined, '2026-11-03T00:00:00.000Z'),
      cm('newer', 'apr-2', '2026-11-02T00:00:00.000Z'),
    ]);
    expect(kept.map((k) => k.name)).toEqual(['newer', 'older']);
  });
});
