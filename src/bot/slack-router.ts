import type {
  App,
  Middleware,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';

type Listener = (args: never) => Promise<void>;

/**
 * Where the bot's listeners register, in Bolt's own words (`action`, `view`, `event`). Bolt runs every
 * request through every listener it has (a copy of the middleware array, two closures and an argument
 * spread each), so twenty listeners cost a slash command more CPU than the rest of its ack. The router
 * registers one Bolt listener per payload kind and picks the listeners by id itself.
 */
export interface SlackListeners {
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

  get size(): number {
    return this.byId.size + this.byPattern.length;
  }
}

export class SlackRouter implements SlackListeners {
  private readonly actions = new ListenerTable();
  private readonly views = new ListenerTable();
  private readonly events = new ListenerTable();

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

  /** One Bolt listener per payload kind that has listeners; each dispatches by id. */
  mount(app: App): void {
    if (this.actions.size) {
      app.action(/(?:)/, async (args) => {
        // Block actions carry an action_id; legacy attachments and dialogs a callback_id.
        const action = args.action as { action_id?: string; callback_id?: string };
        const id = action.action_id ?? action.callback_id ?? (args.body as { callback_id?: string }).callback_id;
        await runAll(this.actions.match(id), args);
      });
    }
    if (this.views.size) {
      // As `app.view(id, …)`: submissions only (a closed view is not listened for).
      app.view({ callback_id: /(?:)/, type: 'view_submission' }, async (args) => {
        await runAll(this.views.match(args.view.callback_id), args);
      });
    }
    if (this.events.size) {
      app.event(/(?:)/, async (args) => {
        await runAll(this.events.match(args.event.type), args);
      });
    }
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
