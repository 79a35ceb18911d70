import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allActions } from '../../src/handlers/actions.ts';
import { chapterFolders, type AnyAction } from '../../src/handlers/core/define-action.ts';

const handlers = fileURLToPath(new URL('../../src/handlers/', import.meta.url));
const isAction = (value: unknown): value is AnyAction =>
  typeof value === 'object' &&
  value !== null &&
  'id' in value &&
  'chapter' in value &&
  'kind' in value &&
  'permission' in value;

/** Every action exported by a file under src/handlers/<folder>/, with the folder it lives in. */
async function actionsByFolder(): Promise<Array<{ folder: string; file: string; action: AnyAction }>> {
  const found: Array<{ folder: string; file: string; action: AnyAction }> = [];
  for (const folder of readdirSync(handlers, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)) {
    for (const file of readdirSync(join(handlers, folder)).filter((f) => f.endsWith('.ts'))) {
      const module = (await import(pathToFileURL(join(handlers, folder, file)).href)) as Record<string, unknown>;
      for (const value of Object.values(module))
        if (isAction(value)) found.push({ folder, file: `${folder}/${file}`, action: value });
    }
  }
  return found;
}

describe('folders are the runbook chapters', () => {
  it('every action lives in the folder of the chapter it declares, and every registered action is found', async () => {
    const found = await actionsByFolder();
    const misplaced = found
      .filter(({ folder, action }) => chapterFolders[action.chapter] !== folder)
      .map(({ file, action }) => `${file} declares ${action.chapter}`);
    expect(misplaced).toEqual([]);
    const files = new Map(found.map(({ file, action }) => [action, file]));
    expect(allActions.filter((action) => !files.has(action)).map((a) => a.id)).toEqual([]);
  });

  it('only framework files live outside the chapter folders: no action in handlers/core', async () => {
    const found = await actionsByFolder();
    expect(found.filter(({ folder }) => folder === 'core').map(({ file }) => file)).toEqual([]);
    const folders = new Set(Object.values(chapterFolders));
    const strays = readdirSync(handlers, { withFileTypes: true }).filter(
      (d) => d.isDirectory() && d.name !== 'core' && !folders.has(d.name),
    );
    expect(strays.map((d) => d.name)).toEqual([]);
  });
});
