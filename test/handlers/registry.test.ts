import { describe, expect, it } from 'vitest';
import { ActionRegistry, editDistance } from '../../src/handlers/core/registry.ts';
import { allActions } from '../../src/handlers/actions.ts';
import { chapters } from '../../src/handlers/core/define-action.ts';
import { buildInput } from '../../src/handlers/core/action-input.ts';
import { tokenize } from '../../src/handlers/core/command-parser.ts';

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
