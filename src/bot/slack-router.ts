import type {
  AnyMiddlewareArgs,
  AllMiddlewareArgs,
  App,
  Middleware,
  SlackCommandMiddlewareArgs,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';

type Listener = (args: never) => Promise<void>;

/**
 * Where the bot's listeners register, in Bolt's own words (`command`, `action`, `view`, `event`). Bolt runs
 * every request through every listener it has (a copy of the middleware array, closures and an argument
 * spread each): with twenty listeners that cost a slash command more CPU, and more garbage, than the rest
 * of its ack. The router is one global middleware instead, placed after the built-in ones and the
 * Socket Mode gate: it picks the listeners by id and hands anything it has no listener for on to Bolt.
 */
export interface SlackListeners {
  command(name: string, listener: Middleware<SlackCommandMiddlewareArgs>): void;
  action<A extends SlackAction = SlackAction>(
    actionId: string | RegExp,
    listener: Middleware<SlackActionMiddlewareArgs<A>>,
  ): void;
  view<V extends SlackViewAction = SlackViewAction>(
    callbackId: string | RegExp,
    listener: Middleware<SlackViewMiddlewareArgs<V>>,
  ): void;
  event<E extends string>(eventType: E, listener: Middleware<SlackEventMiddlewareArgs<E>>): void;
}

/** Listeners by exact id (one lookup) and by pattern (tested in registration order). */
class ListenerTable {
  private readonly byId = new Map<string, Listener[]>();
  private readonly byPattern: { pattern: RegExp; listener: Listener }[] = [];

  add(id: string | RegExp, listener: Listener): void {
    if (typeof id === 'string') this.byId.set(id, [...(this.byId.get(id) ?? []), listener]);
    else this.byPattern.push({ pattern: id, listener });
  }

  /** Every listener for `id`, as Bolt would have run every matching one. */
  match(id: string | undefined): Listener[] {
    if (id === undefined) return [];
    const exact = this.byId.get(id) ?? [];
    const patterned = this.byPattern.filter((p) => p.pattern.test(id)).map((p) => p.listener);
    return patterned.length ? [...exact, ...patterned] : exact;
  }
}

export class SlackRouter implements SlackListeners {
  private readonly commands = new ListenerTable();
  private readonly actions = new ListenerTable();
  private readonly views = new ListenerTable();
  private readonly events = new ListenerTable();

  command(name: string, listener: Middleware<SlackCommandMiddlewareArgs>): void {
    this.commands.add(name, listener as Listener);
  }

  action<A extends SlackAction = SlackAction>(
    actionId: string | RegExp,
    listener: Middleware<SlackActionMiddlewareArgs<A>>,
  ): void {
    this.actions.add(actionId, listener as Listener);
  }

  view<V extends SlackViewAction = SlackViewAction>(
    callbackId: string | RegExp,
    listener: Middleware<SlackViewMiddlewareArgs<V>>,
  ): void {
    this.views.add(callbackId, listener as Listener);
  }

  event<E extends string>(eventType: E, listener: Middleware<SlackEventMiddlewareArgs<E>>): void {
    this.events.add(eventType, listener as Listener);
  }

  /** The router as Bolt global middleware (registered after any middleware that must run first). */
  mount(app: App): void {
    app.use(async (args) => {
      const listeners = this.listenersFor(args);
      if (listeners.length === 0) return args.next();
      await runAll(listeners, args);
    });
  }

  private listenersFor(args: AnyMiddlewareArgs & AllMiddlewareArgs): Listener[] {
    if ('command' in args && args.command) return this.commands.match(args.command.command);
    if ('action' in args && args.action) {
      // Block actions carry an action_id; legacy attachments and dialogs a callback_id.
      const action = args.action as { action_id?: string; callback_id?: string };
      return this.actions.match(
        action.action_id ?? action.callback_id ?? (args.body as { callback_id?: string }).callback_id,
      );
    }
    // As `app.view(id, …)`: submissions only (a closed view is not listened for).
    if ('view' in args && args.view && args.body.type === 'view_submission')
      return this.views.match(args.view.callback_id);
    if ('event' in args && args.event) return this.events.match(args.event.type);
    return [];
  }
}

/** Bolt's own rule for several listeners: all run; one failure is rethrown, several are reported together. */
async function runAll(listeners: Listener[], args: unknown): Promise<void> {
  if (listeners.length === 1) return (listeners[0] as (a: unknown) => Promise<void>)(args);
  const results = await Promise.allSettled(listeners.map((l) => (l as (a: unknown) => Promise<void>)(args)));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, 'several Slack listeners failed');
}
