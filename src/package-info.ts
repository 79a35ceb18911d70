import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from './app-root.ts';

/** Name and version from package.json, read once when asked for (never at import time). */
export function packageInfo(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return { name: pkg.name, version: pkg.version };
}
