import { SlackApiError } from './api-error.ts';
import type { DriverResponse, SignedTransport } from './driver-transport.ts';
import { payloadTeam, payloadUser, viewStateValues } from './interaction-payloads.ts';
import type { SlackEmulator } from './slack-emulator.ts';
import type { EmuUser, EmuView, Json } from './types.ts';
import { closeModal, pushModal, replaceView } from './view-store.ts';

export interface SubmitViewInput {
  user: string;
  viewId: string;
  /** `{ [block_id]: { [action_id]: value } }` or `{ [action_id]: value }`; strings/arrays or Slack-shaped entries. */
  values?: Record<string, unknown>;
}

export type SubmitOutcome = 'closed' | 'errors' | 'updated' | 'pushed' | 'cleared' | 'failed';

export interface SubmitViewResult extends DriverResponse {
  outcome: SubmitOutcome;
  /** Field errors from `response_action: 'errors'`, keyed by block_id. */
  errors?: Record<string, string>;
  /** Why Slack would reject the bot's update/push view (shown to the user as an error). */
  viewErrors?: string[];
}

export interface CloseViewInput {
  user: string;
  viewId: string;
  /** Closing with the stack's "X" clears every view in it. */
  isCleared?: boolean;
}

function openViewFor(emu: SlackEmulator, userRef: string, viewId: string): { user: EmuUser; view: EmuView } {
  const user = emu.state.userByRef(userRef);
  if (!user) throw new Error(`SlackDriver: no user ${userRef}`);
  const view = emu.view(viewId);
  if (!view || !view.open || view.type !== 'modal') throw new Error(`SlackDriver: modal ${viewId} is not open`);
  if (view.user !== user.id) throw new Error(`SlackDriver: modal ${viewId} belongs to ${view.user}, not ${user.id}`);
  return { user, view };
}

function basePayload(emu: SlackEmulator, token: string, user: EmuUser): Json {
  return {
    team: payloadTeam(emu.state),
    user: payloadUser(user),
    api_app_id: emu.state.identity.appId,
    token,
    is_enterprise_install: false,
    enterprise: null,
  };
}

export async function submitView(
  emu: SlackEmulator,
  transport: SignedTransport,
  token: string,
  input: SubmitViewInput,
): Promise<SubmitViewResult> {
  const { user, view } = openViewFor(emu, input.user, input.viewId);
  const values = viewStateValues(view.view.blocks, input.values ?? {});
  const payload = {
    type: 'view_submission',
    ...basePayload(emu, token, user),
    trigger_id: emu.issueTriggerId(user.id),
    view: { ...view.view, state: { values } },
    response_urls: [],
  };
  const res = await transport.postForm({ payload: JSON.stringify(payload) });
  if (res.status !== 200) return { ...res, outcome: 'failed' };
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Json;
  try {
    switch (body.response_action) {
      case 'errors':
        return { ...res, outcome: 'errors', errors: (body.errors ?? {}) as Record<string, string> };
      case 'update':
        replaceView(emu.state, view, body.view);
        return { ...res, outcome: 'updated' };
      case 'push':
        pushModal(emu.state, user.id, body.view);
        return { ...res, outcome: 'pushed' };
      case 'clear':
        closeModal(emu.state, user.id, view.id, true);
        return { ...res, outcome: 'cleared' };
      default:
        closeModal(emu.state, user.id, view.id);
        return { ...res, outcome: 'closed' };
    }
  } catch (error) {
    if (!(error instanceof SlackApiError)) throw error;
    const messages = (error.extra.errors as string[] | undefined) ?? [error.error];
    return { ...res, outcome: 'failed', viewErrors: messages };
  }
}

/** The user dismisses a modal; the bot hears view_closed only when the view asked for notify_on_close. */
export async function closeView(
  emu: SlackEmulator,
  transport: SignedTransport,
  token: string,
  input: CloseViewInput,
): Promise<DriverResponse | undefined> {
  const { user, view } = openViewFor(emu, input.user, input.viewId);
  closeModal(emu.state, user.id, view.id, input.isCleared ?? false);
  if (view.view.notify_on_close !== true) return undefined;
  const payload = {
    type: 'view_closed',
    ...basePayload(emu, token, user),
    view: view.view,
    is_cleared: input.isCleared ?? false,
  };
  return transport.postForm({ payload: JSON.stringify(payload) });
}
