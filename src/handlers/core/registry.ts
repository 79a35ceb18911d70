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

/** How much of what was typed `suggest` reads: longer than any action id plus a typo's worth. */
export const SUGGEST_MAX_CHARS = 48;

/** Counts the distance table cells computed: how a test sees the work stay bounded. */
export interface WorkMeter {
  cells: number;
}

/**
 * The edit distance when it is at most `max`, else `max + 1`. Only the diagonal band of width 2·max+1
 * is computed, and it stops as soon as a whole row exceeds `max`: O(min(|a|,|b|) · max) work.
 */
export function boundedEditDistance(a: string, b: string, max: number, meter?: WorkMeter): number {
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => Math.min(j, over));
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(over);
    row[0] = Math.min(i, over);
    let best = row[0];
    for (let j = Math.max(1, i - max); j <= Math.min(b.length, i + max); j++) {
      const substitute = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row[j] = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, substitute, over);
      if (meter) meter.cells++;
      best = Math.min(best, row[j] as number);
    }
    if (best > max) return over;
    previous = row;
  }
  return previous[b.length] as number;
}

/** The plain array of actions and the lookups derived from it. */
export class ActionRegistry implements ActionLookup {
  private readonly byId = new Map<string, AnyAction>();
  /** The ids a typo may be corrected to (buttons' own actions are never typed), with their first word. */
  private readonly suggestable: ReadonlyArray<{ id: string; head: string }>;

  constructor(readonly actions: readonly AnyAction[]) {
    for (const action of actions) {
      if (this.byId.has(action.id)) throw new Error(`duplicate action id: ${action.id}`);
      this.byId.set(action.id, action);
    }
    this.suggestable = actions
      .filter((a) => a.typed !== false)
      .map((a) => ({ id: a.id, head: a.id.split(' ')[0] as string }));
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

  /** The closest action ids to what was typed, best first (see `suggestIds`). */
  suggest(words: string[], limit = 3): string[] {
    return suggestIds(this.suggestable, words, limit);
  }
}

/**
 * The closest of `ids` to what was typed, best first. The work is bounded whatever is pasted: the words
 * are cut to SUGGEST_MAX_CHARS and each distance stops at the acceptance threshold, so it is at most
 * ids × SUGGEST_MAX_CHARS × (2·threshold + 1) cells, twice.
 */
export function suggestIds(
  ids: ReadonlyArray<{ id: string; head: string }>,
  words: readonly string[],
  limit = 3,
  meter?: WorkMeter,
): string[] {
  const cut = (text: string) => text.slice(0, SUGGEST_MAX_CHARS).toLowerCase();
  const typed = cut(words.slice(0, 2).map(cut).join(' '));
  const first = cut(words[0] ?? '');
  const threshold = Math.max(2, Math.floor(typed.length / 3));
  return ids
    .map(({ id, head }) => {
      const whole = boundedEditDistance(typed, id, threshold, meter);
      const near = boundedEditDistance(first, head, threshold, meter) + 0.5;
      const prefix = id.startsWith(first) && first.length >= 2 ? 0 : Infinity;
      return { id, score: Math.min(whole, near, prefix) };
    })
    .filter((s) => s.score <= threshold)
    .sort((x, y) => x.score - y.score || x.id.localeCompare(y.id))
    .slice(0, limit)
    .map((s) => s.id);
}
