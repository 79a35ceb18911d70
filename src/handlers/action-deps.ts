import type { ActionRegistry } from './registry.ts';
import type { AuditLog } from '../store/pg-audit-log.ts';

/** Capabilities actions may use, wired by hand in main.ts. Later features add theirs here. */
export interface ActionDeps {
  registry: ActionRegistry;
  audit: AuditLog;
  version: { name: string; version: string; commit?: string; startedAt: Date };
  now: () => Date;
}
