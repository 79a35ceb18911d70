import { chatMethods } from './chat.ts';
import type { MethodHandler } from './context.ts';
import { conversationMethods } from './conversations.ts';
import { fileMethods } from './files.ts';
import { viewMethods } from './views.ts';
import { workspaceMethods } from './workspace.ts';

export type { MethodContext, MethodHandler } from './context.ts';

/** Every Web API method the emulator implements; anything else answers `unknown_method`. */
export const METHODS: Record<string, MethodHandler> = {
  ...workspaceMethods,
  ...chatMethods,
  ...conversationMethods,
  ...viewMethods,
  ...fileMethods,
};
