/**
 * Every Kubernetes request goes through `KubeRequests.run`: one middleware bounds it with a timeout
 * (an unreachable cluster must fail in seconds, never hang a step), links the caller's AbortSignal,
 * sets the patch content type and the impersonation headers; errors come back as AppErrors.
 */
import {
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import { toAppError, type KubeOp } from './kube-errors.ts';

export const PATCH = {
  strategicMerge: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
} as const;

export interface RequestOptions {
  contentType?: string;
  impersonate?: { user: string; groups: string[] };
  signal?: AbortSignal;
}

type Headers = Record<string, string>;

/**
 * Kubernetes reads one group per `Impersonate-Group` header line (it does not split on commas), but
 * client-node keeps headers in a string record. node-fetch accepts header pairs too, so the request
 * hands it pairs with one line per group, computed when the request is sent.
 */
function withGroupHeaders(ctx: RequestContext, groups: string[]): void {
  const original = ctx.getHeaders.bind(ctx);
  const pairs = (): [string, string][] => [...Object.entries(original()), ...groups.map((g): [string, string] => ['Impersonate-Group', g])];
  ctx.getHeaders = pairs as unknown as () => Headers;
}

function middleware(opts: RequestOptions, timeout: AbortSignal): ObservableMiddleware {
  return {
    pre(ctx: RequestContext): Observable<RequestContext> {
      if (opts.contentType) ctx.setHeaderParam('Content-Type', opts.contentType);
      if (opts.impersonate) {
        ctx.setHeaderParam('Impersonate-User', opts.impersonate.user);
        if (opts.impersonate.groups.length > 0) withGroupHeaders(ctx, opts.impersonate.groups);
      }
      ctx.setSignal(opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout);
      return new Observable(Promise.resolve(ctx));
    },
    post(ctx: ResponseContext): Observable<ResponseContext> {
      return new Observable(Promise.resolve(ctx));
    },
  };
}

export class KubeRequests {
  constructor(
    private readonly server: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Runs one request; `call` receives the per-request options to pass to the generated client. */
  async run<T>(op: KubeOp, call: (options: ConfigurationOptions) => Promise<T>, opts: RequestOptions = {}): Promise<T> {
    opts.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const options: ConfigurationOptions = { middleware: [middleware(opts, timeout)], middlewareMergeStrategy: 'append' };
    try {
      return await call(options);
    } catch (error) {
      // The caller gave up (cancel, step timeout, shutdown): report their reason, not a network error.
      if (opts.signal?.aborted) throw opts.signal.reason;
      const mapped = toAppError(error, { ...op, ...(opts.impersonate ? { as: opts.impersonate.user } : {}) }, {
        server: this.server,
        timeoutMs: this.timeoutMs,
        timedOut: timeout.aborted,
      });
      this.logger.debug({ err: error, op, code: mapped.code }, 'kubernetes request failed');
      throw mapped;
    }
  }

  /**
   * Read-decide-write with optimistic concurrency: `attempt` re-reads the object each time and writes
   * with its resourceVersion as a precondition; a 409 means someone else wrote first, so try again.
   */
  async retryOnConflict<T>(what: string, attempt: () => Promise<T>, attempts = 4): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'cluster_conflict' || i >= attempts) throw error;
        this.logger.info({ what, attempt: i }, 'kubernetes write conflicted, re-reading');
      }
    }
  }
}
