/**
 * The difference between a service's live ConfigMap and the proposed one, as unified-diff lines per
 * data key (jsdiff), sized for the approval message: whole keys added or removed are named, changed
 * keys show their changed lines with a little context, and the whole is cut at a line and size budget
 * with a note saying how much was left out. jsdiff loads with the first diff (a plan of a config change),
 * not with every start.
 */
import type { structuredPatch as StructuredPatch } from 'diff';

export interface ConfigDiff {
  /** Lines to show, each starting with `+`, `-`, ` ` or `@`. */
  lines: string[];
  changedKeys: string[];
  /** True when nothing differs. */
  same: boolean;
  /** Lines left out to fit. */
  omitted: number;
}

const MAX_LINES = 40;
const MAX_CHARS = 1_600;
const MAX_LINE = 160;

function keyLines(
  structuredPatch: typeof StructuredPatch,
  key: string,
  before: string | undefined,
  after: string | undefined,
): string[] {
  if (before === undefined) return [`+ ${key}: (new key, ${after?.split('\n').length ?? 0} line(s))`];
  if (after === undefined) return [`- ${key}: (key removed)`];
  const patch = structuredPatch(key, key, before, after, '', '', { context: 1 });
  const lines = [`@ ${key}`];
  for (const hunk of patch.hunks)
    for (const line of hunk.lines) if (!line.startsWith('\\')) lines.push(`${line[0]} ${line.slice(1)}`);
  return lines;
}

export async function configDiff(
  current: Readonly<Record<string, string>>,
  proposed: Readonly<Record<string, string>>,
): Promise<ConfigDiff> {
  const { structuredPatch } = await import('diff');
  const keys = [...new Set([...Object.keys(current), ...Object.keys(proposed)])].sort();
  const changedKeys = keys.filter((k) => current[k] !== proposed[k]);
  const all = changedKeys.flatMap((k) => keyLines(structuredPatch, k, current[k], proposed[k]));
  const lines: string[] = [];
  let chars = 0;
  for (const raw of all) {
    const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE - 1)}…` : raw;
    if (lines.length >= MAX_LINES || chars + line.length + 1 > MAX_CHARS) break;
    lines.push(line);
    chars += line.length + 1;
  }
  return { lines, changedKeys, same: changedKeys.length === 0, omitted: all.length - lines.length };
}

/** The diff as one block of text for a plan item or a reply. */
export function diffText(diff: ConfigDiff): string {
  if (diff.same) return '(no difference)';
  return [...diff.lines, ...(diff.omitted > 0 ? [`… ${diff.omitted} more line(s) not shown`] : [])].join('\n');
}
