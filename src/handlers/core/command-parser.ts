/**
 * Turns `/eafix` text into words and options. Slack clients "smarten" what people type: quotes become
 * curly and `--` can become an em dash, so both are accepted as what the person meant.
 */
export interface ParsedWords {
  /** Words before and between options, in order. */
  words: string[];
  /** `--key=value`, `--key value` and `--flag` (true), keyed by the flag as typed (kebab-case). */
  options: Map<string, string | true>;
}

export class CommandSyntaxError extends Error {}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&' };

/**
 * The manifest sets `should_escape: true`, so Slack sends what a person typed with & < > as entities
 * and their mentions as `<@U…|name>`, `<#C…|name>` and `<!subteam^S…|@handle>`. A raw `<` can then only
 * start a mention: mentions become their bare ids (`<@U…>`, `<#C…>`, `<!subteam^S…>`) and the entities
 * go back to the characters typed. Typed `me` needs nothing: it is a word.
 */
export function unescapeSlack(token: string): string {
  return token
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, '<@$1>')
    .replace(/<#([CG][A-Z0-9]+)(?:\|[^>]*)?>/g, '<#$1>')
    .replace(/<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>/g, '<!subteam^$1>')
    .replace(/&(?:lt|gt|amp);/g, (entity) => ENTITIES[entity] ?? entity);
}

function normalise(text: string): string {
  return text
    .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
    .replace(/(^|\s)[\u2014\u2013](?=[A-Za-z])/g, '$1--')
    .replace(/\u00A0/g, ' ');
}

/** Splits on whitespace, honouring "double" and 'single' quotes and backslash escapes in double quotes. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const input = normalise(text).trim();
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < input.length) current += input[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) throw new CommandSyntaxError(`a ${quote === '"' ? 'double' : 'single'} quote is not closed`);
  if (inToken) tokens.push(current);
  // Undone after splitting: a & or &lt; typed inside an argument never changes how words split.
  return tokens.map(unescapeSlack);
}

/**
 * Separates words from options. `takesValue(flag)` tells whether a flag needs a value, so
 * `--verbose production` keeps `production` as a word while `--tail 50` reads 50 as the value.
 * Flags it does not know are read as switches, for the caller to report by name.
 */
export function parseWords(tokens: string[], takesValue: (flag: string) => boolean): ParsedWords {
  const words: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const match = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(token);
    if (!match) {
      words.push(token);
      continue;
    }
    const flag = match[1] as string;
    if (options.has(flag)) throw new CommandSyntaxError(`--${flag} is given twice`);
    if (match[2] !== undefined) options.set(flag, match[2]);
    else if (!takesValue(flag)) options.set(flag, true);
    else if (i + 1 < tokens.length && !(tokens[i + 1] as string).startsWith('--'))
      options.set(flag, tokens[++i] as string);
    else throw new CommandSyntaxError(`--${flag} needs a value, e.g. --${flag}=<value>`);
  }
  return { words, options };
}
