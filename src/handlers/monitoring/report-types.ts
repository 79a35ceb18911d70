import type { DigestSpec } from '../../config/monitoring-policy.ts';
import type { Logger } from '../../logger.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import type { Block } from '../core/reply.ts';

export interface ReportChart {
  filename: string;
  title: string;
  png: Uint8Array;
}

/** What a scheduled report posts: a message, charts in its thread, and follow-up work done once per tick. */
export interface ComposedReport {
  text: string;
  blocks: Block[];
  charts?: ReportChart[];
  /** Runs after the message is posted (the checklist's automatic incidents); idempotent per tick. */
  afterPost?: (posted: { channel: string; ts: string }) => Promise<void>;
}

export interface ReportContext {
  deps: ActionDeps;
  spec: DigestSpec;
  /** The tick the report is for: keys follow-up work so a retried post does it once. */
  tickKey: string;
  /** The report's "now": the world is read as it is then. */
  at: Date;
  /** The line saying why it was posted (schedule, request). */
  trigger: string | undefined;
  logger: Logger;
}

export type ReportComposer = (context: ReportContext) => Promise<ComposedReport>;
