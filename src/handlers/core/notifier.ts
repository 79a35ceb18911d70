import type { Block } from './reply.ts';

export interface PostedMessage {
  channel: string;
  ts: string;
}

/** A channel found by name (incident war rooms are looked up after `name_taken`). */
export interface ChannelInfo {
  id: string;
  name: string;
  /** Created by this bot: a war room a crashed attempt left behind, not someone else's channel. */
  createdByBot: boolean;
  purpose: string;
}

export interface InviteResult {
  invited: string[];
  /** Users Slack refused (user_not_found, ...); the others were still invited. */
  failed: Array<{ user: string; error: string }>;
}

export interface OutgoingMessage {
  channel: string;
  text: string;
  blocks?: Block[];
  threadTs?: string;
  /** Reply under another message sent with this key, whatever ts it gets (a run's "started by" message). */
  threadKey?: string;
  /**
   * Names the message for the outbox: sending the same key again (a retried step) replaces its content
   * instead of posting a second message. A fresh key per call when absent.
   */
  key?: string;
}

/** Posting to Slack, as handlers and permissions need it; the outbox adapter lives in src/slack/. */
export interface Notifier {
  /** Queues a message durably and returns; it is delivered (once) even if Slack is down right now. */
  send(message: OutgoingMessage): Promise<void>;
  /** Queues a message and waits for Slack to confirm it, for callers that need its ts. */
  post(message: OutgoingMessage): Promise<PostedMessage>;
  update(message: { channel: string; ts: string; text: string; blocks?: Block[] }): Promise<void>;
  ephemeral(message: {
    channel: string;
    user: string;
    text: string;
    blocks?: Block[];
    threadTs?: string;
  }): Promise<void>;
  upload(file: {
    channel: string;
    threadTs?: string;
    /** Under the message sent with this key (see OutgoingMessage.threadKey). */
    threadKey?: string;
    filename: string;
    content: string;
    title?: string;
    comment?: string;
    key?: string;
  }): Promise<void>;
  /** Opens a modal for the person who clicked (trigger ids live three seconds). */
  openModal(triggerId: string, view: Block): Promise<void>;
  /** Channel operations for incident war rooms. */
  createChannel(name: string): Promise<{ id: string } | { nameTaken: true }>;
  findChannel(name: string): Promise<ChannelInfo | undefined>;
  invite(channel: string, users: string[]): Promise<InviteResult>;
  setTopic(channel: string, topic: string): Promise<void>;
  setPurpose(channel: string, purpose: string): Promise<void>;
  /** Pins a message; pinning one already pinned is not an error. */
  pin(channel: string, ts: string): Promise<void>;
  permalink(channel: string, ts: string): Promise<string>;
}
