import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The installation's root: the nearest directory above this module that holds package.json (beside it
 * migrations/ and config/). Found by walking up, not by a fixed `../..`, because the dist/ bundle puts
 * this code at another depth than src/ does (dist/main.js, dist/chunks/*.js), and both must agree.
 */
export function appRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return (root = dir);
}
