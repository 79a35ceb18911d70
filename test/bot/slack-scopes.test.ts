import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { featureScopes, methodScopes } from '../../src/bot/slack-scopes.ts';
import { manifestScopes } from '@eafix/sandbox/sandbox-world';

const namespaces =
  'admin|apps|auth|bookmarks|bots|calls|chat|conversations|dnd|emoji|files|pins|reactions|reminders|search|stars|team|usergroups|users|views';

function productionSources(dir = 'src'): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return productionSources(path);
    return path.endsWith('.ts') && path !== join('src', 'bot', 'slack-scopes.ts') ? [path] : [];
  });
}

/** Every Web API method the production code calls: `client.chat.postMessage(`, `filesUploadV2(`, or a method name as a string. */
function methodsUsed(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const note = (method: string, file: string) => used.set(method, [...(used.get(method) ?? []), file]);
  for (const file of productionSources()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(new RegExp(`\\b(?:client|slack|web)\\.((?:${namespaces})(?:\\.[a-zA-Z]+)+)\\(`, 'g')))
      note(m[1]!, file);
    for (const m of text.matchAll(new RegExp(`['"\`]((?:${namespaces})\\.[a-zA-Z0-9.]+)['"\`]`, 'g')))
      note(m[1]!, file);
    if (/\bfilesUploadV2\(/.test(text)) note('files.uploadV2', file);
  }
  return used;
}

describe('least privilege: the manifest requests exactly the scopes the production code needs', () => {
  const used = methodsUsed();
  const manifest = manifestScopes();

  it('knows the scopes of every Web API method the code calls', () => {
    const unknown = [...used.keys()]
      .filter((m) => !(m in methodScopes))
      .map((m) => `${m} (in ${used.get(m)!.join(', ')})`);
    expect(unknown, 'add these methods and their scopes to src/bot/slack-scopes.ts').toEqual([]);
    expect(used.has('chat.postMessage')).toBe(true);
  });

  it('requests every scope a called method needs, and no scope nothing needs', () => {
    const needed = new Set([...[...used.keys()].flatMap((m) => methodScopes[m] ?? []), ...Object.keys(featureScopes)]);
    expect(
      [...needed].filter((s) => !manifest.includes(s)),
      'scopes the code needs but manifest.yml lacks',
    ).toEqual([]);
    expect(
      manifest.filter((s) => !needed.has(s)),
      'scopes manifest.yml requests but nothing uses',
    ).toEqual([]);
  });

  it('escapes slash command text, which the command parser expects', () => {
    const doc = parse(readFileSync('manifest.yml', 'utf8')) as {
      features: { slash_commands: Array<{ should_escape: boolean }> };
    };
    expect(doc.features.slash_commands.every((c) => c.should_escape === true)).toBe(true);
  });

  it('documents each requested scope in the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('### Slack scopes');
    expect(start).toBeGreaterThanOrEqual(0);
    const section = readme.slice(start);
    expect(manifest.filter((s) => !section.includes(`\`${s}\``))).toEqual([]);
  });
});
