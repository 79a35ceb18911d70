import type { AnyAction } from './define-action.ts';
import { help } from './bot/help.ts';
import { version } from './bot/version.ts';

/** Every runbook action the bot serves. Adding an action is one file and one line here. */
export const allActions: readonly AnyAction[] = [help, version];
