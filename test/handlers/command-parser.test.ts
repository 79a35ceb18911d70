import { describe, expect, it } from 'vitest';
import { CommandSyntaxError, parseWords, tokenize } from '../../src/handlers/core/command-parser.ts';

describe('tokenize', () => {
  it.each([
    ['help', ['help']],
    ['  scale   risk-manager 4 ', ['scale', 'risk-manager', '4']],
    [
      'incident create --title="DB down hard" --severity high',
      ['incident', 'create', '--title=DB down hard', '--severity', 'high'],
    ],
    ["logs x --since '10m'", ['logs', 'x', '--since', '10m']],
    ['say "a \\"quoted\\" word"', ['say', 'a "quoted" word']],
    ['reason ""', ['reason', '']],
  ])('splits %j', (text, expected) => {
    expect(tokenize(text)).toEqual(expected);
  });

  it('accepts the curly quotes and em dashes Slack clients substitute', () => {
    expect(tokenize('rollback \u2014reason \u201Cbad deploy\u201D')).toEqual(['rollback', '--reason', 'bad deploy']);
  });

  it('refuses an unclosed quote', () => {
    expect(() => tokenize('incident create --title="oops')).toThrow(CommandSyntaxError);
  });
});

describe('parseWords', () => {
  const takesValue = (flag: string) => ['environment', 'tail', 'since'].includes(flag);

  it('reads --key=value, --key value and boolean flags', () => {
    const parsed = parseWords(['status', '--environment', 'staging', '--verbose', 'extra', '--tail=5'], takesValue);
    expect(parsed.words).toEqual(['status', 'extra']);
    expect(Object.fromEntries(parsed.options)).toEqual({ environment: 'staging', verbose: true, tail: '5' });
  });

  it('refuses a flag given twice and a value-less option', () => {
    expect(() => parseWords(['--tail=1', '--tail=2'], takesValue)).toThrow('given twice');
    expect(() => parseWords(['--since'], takesValue)).toThrow('needs a value');
    expect(() => parseWords(['--since', '--verbose'], takesValue)).toThrow('needs a value');
  });
});

describe('text as Slack sends it with should_escape: true', () => {
  it.each([
    ['incident commander <@U0BOB|bob>', ['incident', 'commander', '<@U0BOB>']],
    ['incident commander <@W0BOB>', ['incident', 'commander', '<@W0BOB>']],
    ['digest daily <#C0OPS|eafix-ops>', ['digest', 'daily', '<#C0OPS>']],
    ['page <!subteam^S0ONCALL|@oncall>', ['page', '<!subteam^S0ONCALL>']],
    ['incident commander me', ['incident', 'commander', 'me']],
    ['--reason "a &lt; b &amp;&amp; c &gt; d"', ['--reason', 'a < b && c > d']],
    ['--reason "&amp;lt; stays literal"', ['--reason', '&lt; stays literal']],
  ])('reads %j', (text, expected) => {
    expect(tokenize(text)).toEqual(expected);
  });
});
