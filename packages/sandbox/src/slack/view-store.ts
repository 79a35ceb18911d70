import { SlackApiError, validationError } from './api-error.ts';
import { fillBlockIds, validateView } from './block-kit-limits.ts';
import type { SlackState } from './state.ts';
import type { EmuView, Json } from './types.ts';

/** Slack allows at most 3 modals stacked. */
export const MAX_MODAL_STACK = 3;

function newHash(state: SlackState): string {
  return `${state.nowSeconds()}.${state.randomToken()}`;
}

function checkedView(state: SlackState, raw: unknown): Json {
  const problems = validateView(raw);
  if (problems.length > 0) throw validationError('invalid_arguments', problems);
  const view = raw as Json;
  if (view.external_id !== undefined) {
    for (const existing of state.views.values()) {
      if (existing.external_id === view.external_id && existing.open) throw new SlackApiError('duplicate_external_id');
    }
  }
  return view;
}

/** The full view object as Slack returns it from views.* and in interaction payloads. */
function viewObject(
  state: SlackState,
  raw: Json,
  id: string,
  hash: string,
  previous: string | null,
  root: string,
): Json {
  const { teamId, appId, botId } = state.identity;
  const blocks = fillBlockIds((raw.blocks as Json[] | undefined) ?? [], () => state.randomToken().slice(0, 5));
  return {
    id,
    team_id: teamId,
    type: raw.type,
    blocks,
    private_metadata: raw.private_metadata ?? '',
    callback_id: raw.callback_id ?? '',
    state: { values: {} },
    hash,
    title: raw.title ?? null,
    clear_on_close: raw.clear_on_close ?? false,
    notify_on_close: raw.notify_on_close ?? false,
    close: raw.close ?? null,
    submit: raw.submit ?? null,
    previous_view_id: previous,
    root_view_id: root,
    app_id: appId,
    external_id: raw.external_id ?? '',
    app_installed_team_id: teamId,
    bot_id: botId,
  };
}

function store(state: SlackState, user: string, raw: Json, previous: string | null, root?: string): EmuView {
  const id = state.newId('V');
  const hash = newHash(state);
  const view: EmuView = {
    id,
    type: raw.type === 'home' ? 'home' : 'modal',
    user,
    hash,
    open: true,
    view: viewObject(state, raw, id, hash, previous, root ?? id),
  };
  if (typeof raw.external_id === 'string') view.external_id = raw.external_id;
  state.views.set(id, view);
  return view;
}

export function openModal(state: SlackState, user: string, raw: unknown): EmuView {
  const checked = checkedView(state, raw);
  if (checked.type !== 'modal')
    throw validationError('invalid_arguments', ['must be a valid enum value [json-pointer:/view/type]']);
  for (const id of state.modalStacks.get(user) ?? []) {
    const old = state.views.get(id);
    if (old) old.open = false;
  }
  const view = store(state, user, checked, null);
  state.modalStacks.set(user, [view.id]);
  state.changed(`view opened ${view.id}`);
  return view;
}

export function pushModal(state: SlackState, user: string, raw: unknown): EmuView {
  const stack = state.modalStacks.get(user) ?? [];
  if (stack.length === 0) throw new SlackApiError('not_found');
  if (stack.length >= MAX_MODAL_STACK) throw new SlackApiError('push_limit_reached');
  const checked = checkedView(state, raw);
  const top = stack[stack.length - 1] ?? null;
  const view = store(state, user, checked, top, stack[0]);
  stack.push(view.id);
  state.changed(`view pushed ${view.id}`);
  return view;
}

/** Replaces a view's content in place: same id, new hash (views.update and response_action "update"). */
export function replaceView(state: SlackState, view: EmuView, raw: unknown): EmuView {
  const problems = validateView(raw);
  if (problems.length > 0) throw validationError('invalid_arguments', problems);
  const hash = newHash(state);
  const previous = (view.view.previous_view_id as string | null) ?? null;
  view.view = viewObject(state, raw as Json, view.id, hash, previous, String(view.view.root_view_id ?? view.id));
  view.hash = hash;
  const externalId = (raw as Json).external_id;
  if (typeof externalId === 'string') view.external_id = externalId;
  state.changed(`view updated ${view.id}`);
  return view;
}

/** Closes one modal (and those above it), or the whole stack when `all`. */
export function closeModal(state: SlackState, user: string, viewId: string, all = false): void {
  const stack = state.modalStacks.get(user) ?? [];
  const index = all ? 0 : stack.indexOf(viewId);
  if (index < 0) return;
  for (const id of stack.splice(index)) {
    const view = state.views.get(id);
    if (view) view.open = false;
  }
  state.changed(`view closed ${viewId}`);
}

export function publishHome(state: SlackState, user: string, raw: unknown, hash?: string): EmuView {
  const checked = checkedView(state, raw);
  if (checked.type !== 'home')
    throw validationError('invalid_arguments', ['must be a valid enum value [json-pointer:/view/type]']);
  const existingId = state.homeViews.get(user);
  const existing = existingId ? state.views.get(existingId) : undefined;
  if (existing) {
    if (hash !== undefined && hash !== existing.hash) throw new SlackApiError('hash_conflict');
    return replaceView(state, existing, checked);
  }
  const view = store(state, user, checked, null);
  state.homeViews.set(user, view.id);
  state.changed(`home published ${user}`);
  return view;
}

export function findViewBy(state: SlackState, viewId?: string, externalId?: string): EmuView | undefined {
  if (viewId) return state.views.get(viewId);
  if (externalId) return [...state.views.values()].find((v) => v.external_id === externalId && v.open);
  return undefined;
}
