import { describe, expect, it } from 'vitest';
import {
  ActionRegistry,
  SUGGEST_MAX_CHARS,
  boundedEditDistance,
  editDistance,
  suggestIds,
  type WorkMeter,
} from '../../src/handlers/core/registry.ts';
import { allActions } from '../../src/handlers/actions.ts';
import { chapters } from '../../src/handlers/core/define-action.ts';
import { buildInput } from '../../src/handlers/core/action-input.ts';
import { tokenize } from '../../src/handlers/core/command-parser.ts';
import { parseCommand } from '../../src/handlers/core/parse-command.ts';

const registry = new ActionRegistry(allActions);

describe('ActionRegistry', () => {
  it('resolves the longest action id from leading words', () => {
    expect(registry.resolve(['help', 'rollback'])?.action.id).toBe('help');
    expect(registry.resolve(['HELP'])?.action.id).toBe('help');
    expect(registry.resolve(['nonsense'])).toBeUndefined();
  });

  it('suggests close action ids for typos', () => {
    expect(registry.suggest(['hepl'])).toContain('help');
    expect(registry.suggest(['versoin'])).toContain('version');
    expect(registry.suggest(['zzzzzzzz'])).toEqual([]);
  });

  it('refuses duplicate ids', () => {
    expect(() => new ActionRegistry([allActions[0]!, allActions[0]!])).toThrow('duplicate');
  });

  it('edit distance counts single edits', () => {
    expect(editDistance('rollbak', 'rollback')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('did-you-mean, whatever is pasted', () => {
  const ids = allActions.filter((a) => a.typed !== false).map((a) => ({ id: a.id, head: a.id.split(' ')[0]! }));

  it('bounded edit distance is the full one up to its bound, and bound + 1 past it', () => {
    const words = ['', 'x', 'rollback', 'rollbak', 'lorlback', 'trading stop', 'tradng stp', 'incident create'];
    for (const a of words)
      for (const b of words)
        for (const max of [0, 1, 2, 3, 6]) {
          const full = editDistance(a, b);
          expect(boundedEditDistance(a, b, max), `${a} / ${b} within ${max}`).toBe(full <= max ? full : max + 1);
        }
  });

  it('does bounded work on a megabyte of input, and answers as for its first characters', () => {
    const pasted = ['rollbak' + 'x'.repeat(1_000_000), 'y'.repeat(1_000_000), ...Array(10_000).fill('z')];
    const meter: WorkMeter = { cells: 0 };
    const answer = suggestIds(ids, pasted, 3, meter);
    const threshold = Math.floor(SUGGEST_MAX_CHARS / 3);
    expect(meter.cells).toBeLessThanOrEqual(2 * ids.length * SUGGEST_MAX_CHARS * (2 * threshold + 1));
    expect(answer).toEqual(suggestIds(ids, [pasted[0]!.slice(0, SUGGEST_MAX_CHARS), pasted[1]!.slice(0, 8)]));
    // A typo costs a few hundred cells per action, not its square.
    const typo: WorkMeter = { cells: 0 };
    expect(suggestIds(ids, ['rollbak'], 3, typo)).toContain('rollback');
    expect(typo.cells).toBeLessThanOrEqual(2 * ids.length * 7 * 5);
  });

  it('never suggests a button’s own action, and refuses typing one with a pointer to its button', () => {
    expect(registry.suggest(['approvals', 'aprove'])).not.toContain('approvals approve');
    expect(() => parseCommand('approvals approve apr_3f9a1c2d4e5b', registry)).toThrow(/done with its button/);
    // A paused run's decision is bound to its question in the run's thread, never typed.
    expect(registry.suggest(['runs', 'decid'])).not.toContain('runs decide');
    expect(() => parseCommand('runs decide pause_1a2b3c4d5e6f rollback', registry)).toThrow(/done with its button/);
    // The App Home's Deploy button opens the form `/eafix deploy` opens when typed.
    expect(() => parseCommand('deploy-form', registry)).toThrow(/done with its button/);
  });
});

describe('every registered action', () => {
  it.each(allActions.map((a) => [a.id, a] as const))('%s is well formed and its examples parse', (_id, action) => {
    expect(action.id).toMatch(/^[a-z][a-z-]*( [a-z][a-z-]*)*$/);
    expect(chapters).toContain(action.chapter);
    expect(action.summary.length).toBeGreaterThan(10);
    expect(action.permission).toMatch(/^[a-z]+(\.[a-z-]+)+$/);
    expect(action.examples.length).toBeGreaterThan(0);
    for (const example of action.examples) {
      const resolved = registry.resolve(tokenize(example));
      expect(resolved?.action).toBe(action);
      expect(() => buildInput(action, resolved!.rest)).not.toThrow();
    }
  });
});
