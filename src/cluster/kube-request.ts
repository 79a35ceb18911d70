/**
 * Every Kubernetes request goes through `KubeRequests.run`: one middleware bounds it with a timeout
 * (an unreachable cluster must fail in seconds, never hang a step), links the caller's AbortSignal,
 * sets the patch content type and the impersonation headers; errors come back as AppErrors.
 */
import {
  Observable,
  ResponseContext,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../app-error.ts';
import type { Logger } from '../logger.ts';
import { retryAfterSeconds, toAppError, type KubeOp } from './kube-errors.ts';
import type { AsRead } from './as-read.ts';

/** A read waits at most this long for a server's Retry-After before its one retry; longer asks fail at once. */
export const MAX_READ_RETRY_AFTER_S = 5;
/** Pause before the one retry of a read when the server gave no Retry-After. */
const READ_RETRY_PAUSE_MS = 250;

export const PATCH = {
  strategicMerge: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
} as const;

export interface RequestOptions {
  contentType?: string;
  impersonate?: { user: string; groups: string[] };
  signal?: AbortSignal;
  /** Reads retry once on a transient error; polling loops, which retry anyway, turn it off. */
  retryOnce?: boolean;
}

type Headers = Record<string, string>;

/**
 * Kubernetes reads one group per `Impersonate-Group` header line (it does not split on commas), but
 * client-node keeps headers in a string record. node-fetch accepts header pairs too, so the request
 * hands it pairs with one line per group, computed when the request is sent.
 */
function withGroupHeaders(ctx: RequestContext, groups: string[]): void {
  const original = ctx.getHeaders.bind(ctx);
  const pairs = (): [string, string][] => [
    ...Object.entries(original()),
    ...groups.map((g): [string, string] => ['Impersonate-Group', g]),
  ];
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

/** What a read's body is swapped for once it is kept: client-node deserialises an empty object. */
const EMPTY_BODY = { text: async () => '{}', binary: async () => Buffer.from('{}') };

/**
 * Keeps a successful response's JSON as the server sent it and hands client-node an empty body: its
 * generated deserialiser walked every field of every pod, most of a `status` or a plan's CPU. Status
 * codes and errors stay client-node's (an error's body is left for it to read).
 */
function keepBodyAsSent(keep: (body: unknown) => void): ObservableMiddleware {
  const take = async (ctx: ResponseContext): Promise<ResponseContext> => {
    if (ctx.httpStatusCode < 200 || ctx.httpStatusCode > 299) return ctx;
    keep(JSON.parse(await ctx.body.text()));
    return new ResponseContext(ctx.httpStatusCode, ctx.headers, EMPTY_BODY);
  };
  return {
    pre: (ctx) => new Observable(Promise.resolve(ctx)),
    post: (ctx) => new Observable(take(ctx)),
  };
}

export class KubeRequests {
  constructor(
    private readonly server: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs one read (or an idempotent request such as an access review); `call` receives the per-request
   * options to pass to the generated client. A refused or reset connection, a 429 or a 5xx is retried
   * once, after the server's Retry-After when it gave one (up to MAX_READ_RETRY_AFTER_S).
   */
  async run<T>(op: KubeOp, call: (options: ConfigurationOptions) => Promise<T>, opts: RequestOptions = {}): Promise<T> {
    try {
      return await this.once(op, call, opts, false);
    } catch (error) {
      const pauseMs = opts.retryOnce === false ? undefined : this.retryPause(error);
      if (pauseMs === undefined) throw error;
      this.logger.info({ op, pauseMs }, 'kubernetes read failed transiently, retrying once');
      await sleep(pauseMs, undefined, opts.signal ? { signal: opts.signal } : {}).catch(() =>
        opts.signal?.throwIfAborted(),
      );
      return this.once(op, call, opts, false);
    }
  }

  /**
   * Runs one read like `run`, answering with the body as the server sent it (`AsRead<T>` of the model
   * `call` returns): for the reads made on every `status`, plan and digest, where deserialising the
   * models cost more than the request.
   */
  async readAsSent<T>(op: KubeOp, call: (options: ConfigurationOptions) => Promise<T>, opts: RequestOptions = {}) {
    let body: unknown;
    const keep = keepBodyAsSent((sent) => (body = sent));
    await this.run(op, (options) => call({ ...options, middleware: [...(options.middleware ?? []), keep] }), opts);
    if (body === undefined) throw new Error(`kubernetes ${op.verb} ${op.resource}: no body kept`);
    return body as AsRead<T>;
  }

  /**
   * Runs one write, never retried here: the caller re-reads and decides again. When the answer is lost
   * (timeout, dropped connection, 500/504) the error is `cluster_write_unknown`: it may have been applied.
   */
  write<T>(op: KubeOp, call: (options: ConfigurationOptions) => Promise<T>, opts: RequestOptions = {}): Promise<T> {
    return this.once(op, call, opts, true);
  }

  /** How long to wait before retrying a failed read, or undefined when it must not be retried. */
  private retryPause(error: unknown): number | undefined {
    if (!(error instanceof AppError) || error.kind !== 'upstream') return undefined;
    const cause = (error as { cause?: unknown }).cause;
    if (error.code === 'cluster_unreachable') {
      // Our own timeout already spent the request's budget; a refused or reset connection is worth one more try.
      return /did not answer/.test(error.userMessage) ? undefined : READ_RETRY_PAUSE_MS;
    }
    if (error.code !== 'cluster_error') return undefined;
    const after = retryAfterSeconds(cause);
    if (after === undefined) return READ_RETRY_PAUSE_MS;
    return after <= MAX_READ_RETRY_AFTER_S ? after * 1000 : undefined;
  }

  private async once<T>(
    op: KubeOp,
    call: (options: ConfigurationOptions) => Promise<T>,
    opts: RequestOptions,
    write: boolean,
  ): Promise<T> {
    opts.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const options: ConfigurationOptions = {
      middleware: [middleware(opts, timeout)],
      middlewareMergeStrategy: 'append',
    };
    try {
      return await call(options);
    } catch (error) {
      // The caller gave up (cancel, step timeout, shutdown): report their reason, not a network error.
      if (opts.signal?.aborted) throw opts.signal.reason;
      const mapped = toAppError(
        error,
        { ...op, ...(opts.impersonate ? { as: opts.impersonate.user } : {}) },
        {
          server: this.server,
          timeoutMs: this.timeoutMs,
          timedOut: timeout.aborted,
          write,
        },
      );
      this.logger.debug({ err: error, op, code: mapped.code }, 'kubernetes request failed');
      throw mapped;
    }
  }

  /**
   * Read-decide-write with optimistic concurrency: `attempt` re-reads the object each time and writes
   * with its resourceVersion as a precondition; a 409 means someone else wrote first, so try again.
   * A write with an unknown outcome is re-read once too: the attempt then sees whether it landed.
   */
  async retryOnConflict<T>(what: string, attempt: () => Promise<T>, attempts = 4): Promise<T> {
    let rereadUnknown = true;
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof AppError) || i >= attempts) throw error;
        if (error.code === 'cluster_write_unknown' && rereadUnknown) {
          rereadUnknown = false;
          this.logger.warn({ what, attempt: i }, 'kubernetes write outcome unknown, re-reading before any retry');
          continue;
        }
        if (error.code !== 'cluster_conflict') throw error;
        this.logger.info({ what, attempt: i }, 'kubernetes write conflicted, re-reading');
      }
    }
  }
}
