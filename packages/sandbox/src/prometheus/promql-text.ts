// Text-level PromQL handling: the emulator matches expressions, it never evaluates them.

const WORD = /[A-Za-z0-9_:.]/;
const QUOTES = new Set(['"', "'", '`']);
const CLOSERS: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
const OPEN_NAMES: Record<string, string> = { '(': 'parenthesis', '{': 'brace', '[': 'bracket' };
const CLOSE_NAMES: Record<string, string> = { ')': 'parenthesis', '}': 'brace', ']': 'bracket' };

/** Index just past the string literal opening at `start`, or -1 when it is never closed. */
function skipString(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    const ch = expr[i];
    // Backticks are raw strings in PromQL: no escapes.
    if (ch === '\\' && quote !== '`') i++;
    else if (ch === quote) return i + 1;
  }
  return -1;
}

/**
 * Canonical form used as the lookup key: string literals untouched, whitespace dropped
 * except where it separates two word characters (`sum by (le)` == `sum by(le)`).
 */
export function normaliseExpr(expr: string): string {
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < expr.length;) {
    const ch = expr[i] as string;
    if (/\s/.test(ch)) {
      pendingSpace = true;
      i++;
      continue;
    }
    if (pendingSpace && out.length > 0 && WORD.test(out.at(-1) as string) && WORD.test(ch)) out += ' ';
    pendingSpace = false;
    if (QUOTES.has(ch)) {
      const end = skipString(expr, i);
      const stop = end === -1 ? expr.length : end;
      out += expr.slice(i, stop);
      i = stop;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** 1-based line:column of an offset, as Prometheus prints positions in parse errors. */
function position(expr: string, offset: number): string {
  const before = expr.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${col}`;
}

/**
 * Cheap syntax sanity check: non-empty, balanced ()/{}/[] and terminated strings.
 * Returns a Prometheus-style parse error message, or undefined when plausible.
 */
export function checkSyntax(expr: string): string | undefined {
  if (expr.trim() === '') return '1:1: parse error: no expression found in input';
  const stack: Array<{ ch: string; at: number }> = [];
  for (let i = 0; i < expr.length;) {
    const ch = expr[i] as string;
    if (QUOTES.has(ch)) {
      const end = skipString(expr, i);
      if (end === -1) return `${position(expr, i)}: parse error: unterminated quoted string`;
      i = end;
      continue;
    }
    if (ch === '#') {
      // PromQL comments run to end of line.
      const nl = expr.indexOf('\n', i);
      i = nl === -1 ? expr.length : nl;
      continue;
    }
    if (ch in OPEN_NAMES) stack.push({ ch, at: i });
    const opener = CLOSERS[ch];
    if (opener !== undefined) {
      const top = stack.pop();
      if (top?.ch !== opener) {
        return `${position(expr, i)}: parse error: unexpected right ${CLOSE_NAMES[ch]} '${ch}'`;
      }
    }
    i++;
  }
  const open = stack.pop();
  if (open !== undefined) {
    return `${position(expr, open.at)}: parse error: unclosed left ${OPEN_NAMES[open.ch]}`;
  }
  return undefined;
}

/** A bare number literal evaluates to a scalar in Prometheus even with no data. */
export function numberLiteral(expr: string): number | undefined {
  const text = expr.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?Inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^NaN$/i.test(text)) return NaN;
  return undefined;
}
