import type { ActionLookup, AnyAction } from './define-action.ts';

export interface Resolved {
  action: AnyAction;
  /** The words after the action id. */
  rest: string[];
}

/** Damerau-free Levenshtein distance; enough to catch typos like `rollbak`. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The plain array of actions and the lookups derived from it. */
export class ActionRegistry implements ActionLookup {
  private readonly byId = new Map<string, AnyAction>();

  constructor(readonly actions: readonly AnyAction[]) {
    for (const action of actions) {
      if (this.byId.has(action.id)) throw new Error(`duplicate action id: ${action.id}`);
      this.byId.set(action.id, action);
    }
  }

  get(id: string): AnyAction | undefined {
    return this.byId.get(id);
  }

  /** Longest match of leading words against action ids: `incident create x` → `incident create`. */
  resolve(words: string[]): Resolved | undefined {
    const lowered = words.map((w) => w.toLowerCase());
    for (let n = Math.min(3, lowered.length); n >= 1; n--) {
      const action = this.byId.get(lowered.slice(0, n).join(' '));
      if (action) return { action, rest: words.slice(n) };
    }
    return undefined;
  }

  /** The closest action ids to what was typed, best first. */
  suggest(words: string[], limit = 3): string[] {
    const typed = words.slice(0, 2).join(' ').toLowerCase();
    const first = (words[0] ?? '').toLowerCase();
    return this.actions
      .map((a) => {
        const whole = editDistance(typed, a.id);
        const head = editDistance(first, a.id.split(' ')[0] as string);
        const prefix = a.id.startsWith(first) && first.length >= 2 ? 0 : Infinity;
        return { id: a.id, score: Math.min(whole, head + 0.5, prefix) };
      })
      .filter((s) => s.score <= Math.max(2, Math.floor(typed.length / 3)))
      .sort((x, y) => x.score - y.score || x.id.localeCompare(y.id))
      .slice(0, limit)
      .map((s) => s.id);
  }
}
