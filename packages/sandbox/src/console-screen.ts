import type { SandboxWorld } from './sandbox-world.ts';
import type { EmuMessage } from './slack/index.ts';
import { renderBlocks, renderMrkdwn, type ConsoleButton, type NameLookup } from './console-render.ts';

/** How what a person sees starts when the bot refused or failed (the error mapper's and run reports' marks). */
const ERROR_MARKS = [':warning:', ':x:', ':no_entry:', ':no_entry_sign:'];

/** Slack ids as the names a person reads. */
export function nameLookup(world: SandboxWorld): NameLookup {
  return {
    user: (id) => world.slack.state.users.get(id)?.name ?? (id === world.slack.botUserId ? 'eafix' : id),
    channel: (id) => world.slack.state.channels.get(id)?.name ?? id,
    usergroup: (id) => [...world.slack.state.usergroups.values()].find((g) => g.id === id)?.handle ?? id,
  };
}

/**
 * What a person at the console has seen of Slack: prints only what is new or edited since, and numbers
 * the buttons it shows so `press` can find them. One screen per world (a reset starts a new one).
 */
export class ConsoleScreen {
  readonly names: NameLookup;
  private readonly rendered = new Map<string, string>();
  private readonly seenEphemerals = new Set<string>();
  private readonly seenViews = new Set<string>();
  private readonly buttons: ConsoleButton[] = [];

  constructor(
    private readonly world: SandboxWorld,
    private readonly write: (line: string) => void,
    /** A refusal or failure shown to this person as Slack would: it fails a script unless expected. */
    private readonly onRefusal: (text: string) => void,
  ) {
    this.names = nameLookup(world);
  }

  /** Button number `which`, or the latest one labelled `which`. */
  button(which: string): ConsoleButton | undefined {
    const number = Number(which);
    return Number.isInteger(number) && number > 0
      ? this.buttons.find((b) => b.number === number)
      : [...this.buttons].reverse().find((b) => b.label.toLowerCase() === which.toLowerCase());
  }

  /** Prints new and edited messages, ephemerals for `user`, and newly opened modals. */
  flush(user: string): void {
    for (const channel of this.world.slack.state.channels.values()) {
      for (const message of this.world.slack.messages(channel.id)) {
        this.show(channel.id, channel.name, message, '');
        if (message.reply_count) {
          for (const reply of this.world.slack.thread(channel.id, message.ts).slice(1))
            this.show(channel.id, channel.name, reply, '    ↳ ');
        }
      }
    }
    const userId = this.world.slack.userId(user);
    this.showEphemerals(userId);
    this.showModals(userId);
  }

  private showEphemerals(userId: string): void {
    for (const eph of this.world.slack.state.ephemerals ?? []) {
      const key = `${eph.channel}:${eph.user}:${eph.ts}`;
      if (this.seenEphemerals.has(key)) continue;
      this.seenEphemerals.add(key);
      if (eph.user !== userId || eph.deleted) continue;
      const where = { channel: eph.channel, messageTs: eph.ts };
      const body = eph.blocks?.length
        ? renderBlocks(eph.blocks, this.names, (b) => this.addButton(b), where)
        : [renderMrkdwn(eph.text, this.names)];
      if (ERROR_MARKS.some((mark) => eph.text.trimStart().startsWith(mark)))
        this.onRefusal(renderMrkdwn(eph.text.split('\n')[0] ?? '', this.names));
      this.write(`[#${this.names.channel(eph.channel)}] eafix (only visible to you):`);
      for (const line of body) this.write(`  ${line}`);
    }
  }

  private showModals(userId: string): void {
    for (const view of this.world.slack.openModals(userId)) {
      if (this.seenViews.has(view.id)) continue;
      this.seenViews.add(view.id);
      const title = (view.view.title as { text?: string } | undefined)?.text ?? 'Modal';
      this.write(`[modal] ${title}`);
      for (const line of renderBlocks((view.view.blocks as unknown[]) ?? [], this.names, (b) => this.addButton(b), {
        viewId: view.id,
      }))
        this.write(`  ${line}`);
      this.write('  (type: submit <text>)');
    }
  }

  private show(channelId: string, channelName: string, message: EmuMessage, indent: string): void {
    const key = `${channelId}:${message.ts}`;
    const signature = JSON.stringify([message.text, message.blocks, message.files?.length]);
    const previous = this.rendered.get(key);
    if (previous === signature) return;
    this.rendered.set(key, signature);
    const who = message.user ? this.names.user(message.user) : 'eafix';
    const where = { channel: channelId, messageTs: message.ts };
    const body = message.blocks?.length
      ? renderBlocks(message.blocks, this.names, (b) => this.addButton(b), where)
      : [renderMrkdwn(message.text, this.names)];
    for (const file of message.files ?? []) body.push(`[file] ${String((file as { name?: string }).name ?? 'file')}`);
    this.write(`${indent}[#${channelName}] ${who}${previous ? ' (updated)' : ''}:`);
    for (const line of body) this.write(`${indent}  ${line}`);
  }

  private addButton(button: Omit<ConsoleButton, 'number'>): number {
    const number = this.buttons.length + 1;
    this.buttons.push({ ...button, number });
    return number;
  }
}
