import type { Block } from './reply.ts';

export interface PostedMessage {
  channel: string;
  ts: string;
}

/** Posting to Slack, as handlers and permissions need it; the Web API adapter lives in src/bot/. */
export interface Notifier {
  post(message: { channel: string; text: string; blocks?: Block[]; threadTs?: string }): Promise<PostedMessage>;
  update(message: { channel: string; ts: string; text: string; blocks?: Block[] }): Promise<void>;
  ephemeral(message: { channel: string; user: string; text: string; blocks?: Block[]; threadTs?: string }): Promise<void>;
  upload(file: { channel: string; threadTs?: string; filename: string; content: string; title?: string; comment?: string }): Promise<void>;
  /** Opens a modal for the person who clicked (trigger ids live three seconds). */
  openModal(triggerId: string, view: Block): Promise<void>;
}
