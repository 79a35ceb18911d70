import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { loadedOnFirstUse } from '../../scripts/build.mjs';

/**
 * What a process loads before it is ready is its cold start and most of its idle memory. These packages
 * are loaded on first use (dynamic import) and must stay out of the static import graph of the start-up:
 * one plain `import` of a helper that sits beside them (deploy's `withTag` beside the Kubernetes adapter)
 * used to pull in @kubernetes/client-node (~1.5 s, ~70 MB) at every start. BullMQ (~70 ms CPU, ~14 MB)
 * loads with the first queue operation or worker start (src/jobs/lazy-queue.ts): a web process answers
 * /readyz, and stays idle, without it.
 */
export const LAZY_PACKAGES = [
  ...loadedOnFirstUse,
  // Bundled, in a chunk of its own that only `import()` reaches (it shares the start-up's ioredis).
  'bullmq',
];

export const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The specifiers a module imports at load time (type-only imports and `import()` expressions excluded):
 * a TypeScript source or a JavaScript file of the dist/ bundle alike.
 */
export function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Every package reached from `entry` (relative to the root) through static imports, with one chain that reaches it. */
export function packagesLoadedBy(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...chain, file.slice(root.length)];
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier), here);
      else if (!specifier.startsWith('node:') && !packages.has(packageOf(specifier))) {
        packages.set(packageOf(specifier), here);
      }
    }
  };
  visit(resolve(root, entry), []);
  return packages;
}
