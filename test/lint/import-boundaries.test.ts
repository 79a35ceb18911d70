import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The project's own eslint.config.js, run programmatically on code that is never written to disk.
const root = fileURLToPath(new URL('../..', import.meta.url));
const RULE = '@typescript-eslint/no-restricted-imports';
let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: root });
  // Loading the config and the TypeScript parser is slow on a busy machine: done once, under the hook timeout.
  await eslint.lintText('export {};\n', { filePath: `${root}src/x.ts` });
});

async function boundaryErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => m.message);
}

const importing = (specifier: string) => `import * as adapter from '${specifier}';\nexport const used = adapter;\n`;

/** Each package and the only folders of src/ that may import it. */
const boundaries: Array<{ specifier: string; allowedIn: string[] }> = [
  { specifier: 'pg', allowedIn: ['store'] },
  { specifier: 'node-pg-migrate', allowedIn: ['store'] },
  { specifier: '@slack/bolt', allowedIn: ['bot', 'slack'] },
  { specifier: '@slack/web-api', allowedIn: ['bot', 'slack'] },
  { specifier: '@kubernetes/client-node', allowedIn: ['cluster'] },
  { specifier: 'bullmq', allowedIn: ['jobs'] },
  { specifier: 'ioredis', allowedIn: ['redis', 'jobs'] },
];
const folders = [
  'handlers',
  'handlers/deployment',
  'permissions',
  'monitoring',
  'audit',
  'store',
  'bot',
  'slack',
  'cluster',
  'jobs',
  'redis',
];

describe('import boundaries (npm run lint)', () => {
  it('fails a handler that imports pg, and says where PostgreSQL belongs', async () => {
    const errors = await boundaryErrors(
      "import pg from 'pg';\nexport const pool = new pg.Pool();\n",
      'src/handlers/x.ts',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('src/store/');
  });

  it('fails a handler that imports a Slack type, re-exports Slack or imports a subpath', async () => {
    expect(
      await boundaryErrors(
        "import type { WebClient } from '@slack/web-api';\nexport type C = WebClient;\n",
        'src/handlers/x.ts',
      ),
    ).toHaveLength(1);
    expect(await boundaryErrors("export { App } from '@slack/bolt';\n", 'src/handlers/monitoring/x.ts')).toHaveLength(
      1,
    );
    expect(await boundaryErrors(importing('@slack/web-api/dist/index.js'), 'src/handlers/x.ts')).toHaveLength(1);
  });

  it('fails a composition-root file (src/*.ts) that reaches a package directly', async () => {
    expect(
      await boundaryErrors(
        "import type { WebClient } from '@slack/web-api';\nexport type C = WebClient;\n",
        'src/start-monitoring.ts',
      ),
    ).toHaveLength(1);
  });

  for (const { specifier, allowedIn } of boundaries) {
    it(`${specifier}: only src/{${allowedIn.join(',')}}/ may import it`, async () => {
      for (const folder of folders) {
        const allowed = allowedIn.includes(folder.split('/')[0] as string);
        const errors = await boundaryErrors(importing(specifier), `src/${folder}/x.ts`);
        expect({ folder, errors: errors.length }).toEqual({ folder, errors: allowed ? 0 : 1 });
      }
    });
  }

  it('leaves local modules alone even when their names look like packages', async () => {
    expect(await boundaryErrors(importing('./store/pg-audit-log.ts'), 'src/start-bot.ts')).toEqual([]);
    expect(await boundaryErrors(importing('../slack/slack-client.ts'), 'src/bot/x.ts')).toEqual([]);
  });

  it('binds only src/: the sandbox package and the tests stand in for the outside world', async () => {
    expect(await boundaryErrors(importing('pg'), 'packages/sandbox/src/x.ts')).toEqual([]);
    expect(await boundaryErrors(importing('@slack/web-api'), 'test/x.test.ts')).toEqual([]);
  });
});
