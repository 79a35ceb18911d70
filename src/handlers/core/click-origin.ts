/**
 * Where a button click came from, as Slack reported it. A button's value alone is never trusted: an
 * action invoked from a button gets this in its context and checks that the value names the thing the
 * message (or view) it sat on shows. Any button may use it (approvals, a paused run's decision).
 */
export type ClickOrigin =
  /** A channel message: the thing recorded for exactly this channel and ts. */
  | { kind: 'message'; channel: string; ts: string; blockId: string }
  /** A view (App Home): the clicked block must be one of the view's own blocks. */
  | { kind: 'view'; viewType: string; viewBlockIds: readonly string[]; blockId: string }
  /** An ephemeral list (`/eafix approvals`): only the block id binds the click to what was shown. */
  | { kind: 'ephemeral'; blockId: string };
