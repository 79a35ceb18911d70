import type { z } from 'zod';

/** Renders every zod issue as `path: message`, one per line, for start-up errors. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root = ''): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const where = [root, path].filter(Boolean).join('.') || '(root)';
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return `${where}: ${missing ? 'is required' : issue.message}`;
  });
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
