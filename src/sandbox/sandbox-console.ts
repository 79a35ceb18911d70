import type { SandboxWorld } from './sandbox-world.ts';
import type { EmuMessage } from './slack/index.ts';
import { renderBlocks, renderMrkdwn, type ConsoleButton, type NameLookup } from './console-render.ts';

const HELP = `Console commands:
  /eafix <action> [args]   run a command as the current user in the current channel
  /as <user>               act as alice, bob, carol or dave
  /in #<channel>           switch channel (#eafix-ops, #eafix-incidents, #security, or any the bot created;
                           a prefix such as #inc- picks the newest matching war room)
  press <n | label>        press button n, or the latest button with that label
  submit <text>            fill the open modal's first field with <text> and submit it
  wait [seconds]           wait until the bot is idle (first letting that many seconds pass, for timers)
  replay                   send the last request to the bot again, byte for byte (an attacker's replay)
  help, quit`;

/**
 * A Hubot-style shell over the sandbox: type as a chosen user, read what Slack would show, press buttons.
 * The same object plays scripts, so demos and tests drive exactly what a person would.
 */
export class SandboxConsole {
  private user = 'alice';
  private channel = 'eafix-ops';
  private readonly rendered = new Map<string, string>();
  private readonly seenEphemerals = new Set<string>();
  private readonly seenViews = new Set<string>();
  private buttons: ConsoleButton[] = [];
  failures = 0;

  constructor(
    private readonly world: SandboxWorld,
    private readonly write: (line: string) => void,
  ) {}

  get prompt(): string {
    return `${this.user} in #${this.channel}> `;
  }

  private readonly names: NameLookup = {
    user: (id) => this.world.slack.state.users.get(id)?.name ?? (id === this.world.slack.botUserId ? 'eafix' : id),
    channel: (id) => this.world.slack.state.channels.get(id)?.name ?? id,
    usergroup: (id) => [...this.world.slack.state.usergroups.values()].find((g) => g.id === id)?.handle ?? id,
  };

  /** Runs one console line; errors are printed, counted, and never thrown. */
  async execute(line: string): Promise<void> {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    try {
      const [word = '', ...rest] = trimmed.split(/\s+/);
      const arg = rest.join(' ');
      if (word === '/as') this.switchUser(arg);
      else if (word === '/in') this.switchChannel(arg);
      else if (word.startsWith('/eafix')) await this.command(trimmed.slice('/eafix'.length).trim());
      else if (word === 'press') await this.press(arg);
      else if (word === 'submit') await this.submit(arg);
      else if (word === 'wait') await this.wait(arg);
      else if (word === 'replay') await this.replay();
      else if (word === 'help') this.write(HELP);
      else throw new Error(`Unknown console command "${word}". Type help.`);
    } catch (error) {
      this.failures += 1;
      this.write(`!! ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private switchUser(name: string): void {
    const user = [...this.world.slack.state.users.values()].find((u) => u.name === name.replace(/^@/, ''));
    if (!user) throw new Error(`No user "${name}". Users: ${[...this.world.slack.state.users.values()].filter((u) => !u.is_bot).map((u) => u.name).join(', ')}`);
    this.user = user.name;
    this.write(`(now acting as ${user.name})`);
  }

  /** Demo time for reminders and escalation; scripts are not tests, so a plain pause is fine here. */
  private async wait(seconds: string): Promise<void> {
    const pause = Number(seconds);
    if (seconds && !(pause > 0 && pause <= 120)) throw new Error('wait takes a number of seconds up to 120.');
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause * 1000));
    await this.settle(15_000);
  }

  private switchChannel(name: string): void {
    const prefix = name.replace(/^#/, '');
    const channels = [...this.world.slack.state.channels.values()].filter((c) => !c.is_im);
    const wanted = channels.find((c) => c.name === prefix)?.name ?? channels.filter((c) => c.name.startsWith(prefix)).at(-1)?.name;
    if (!wanted) throw new Error(`No channel #${prefix}.`);
    this.channel = wanted;
    this.write(`(now in #${wanted})`);
    // War rooms are set up by the bot: show what a person would see in the channel header.
    const channel = this.world.slack.channelByName(wanted);
    const pins = this.world.slack.state.pins.get(channel.id)?.length ?? 0;
    if (channel.topic.value) this.write(`(topic: ${renderMrkdwn(channel.topic.value, this.names)})`);
    if (channel.purpose.value) this.write(`(purpose: ${renderMrkdwn(channel.purpose.value, this.names)})`);
    this.write(`(members: ${channel.members.map((m) => this.names.user(m)).join(', ')}${pins ? `; ${pins} pinned` : ''})`);
  }

  private async command(text: string): Promise<void> {
    const response = await this.world.driver.command({ user: this.user, channel: this.channel, text });
    if (response.status !== 200) throw new Error(`the bot answered HTTP ${response.status}`);
    await this.settle();
  }

  private async press(which: string): Promise<void> {
    const number = Number(which);
    const target = Number.isInteger(number) && number > 0
      ? this.buttons.find((b) => b.number === number)
      : [...this.buttons].reverse().find((b) => b.label.toLowerCase() === which.toLowerCase());
    if (!target) throw new Error(`No button "${which}" on screen.`);
    this.write(`(${this.user} presses "${target.label}")`);
    await this.world.driver.clickButton({
      user: this.user,
      actionId: target.actionId,
      ...(target.viewId ? { viewId: target.viewId } : { channel: target.channel as string, messageTs: target.messageTs as string }),
    });
    await this.settle();
  }

  /** Shows what the bot does with a captured request sent again: refused, audited, nothing run. */
  private async replay(): Promise<void> {
    if (!this.world.driver.lastRequest) throw new Error('Nothing to replay yet: run a command or press a button first.');
    const response = await this.world.driver.replayLast();
    const said = typeof response.body === 'object' && response.body !== null ? String((response.body as { text?: unknown }).text ?? '') : String(response.body ?? '');
    this.write(`(replayed the last request: HTTP ${response.status}${said ? `, answer: ${renderMrkdwn(said, this.names)}` : ', empty answer'})`);
    await this.settle();
  }

  private async submit(text: string): Promise<void> {
    const modal = this.world.slack.openModals(this.user).at(-1);
    if (!modal) throw new Error('No modal is open.');
    const blocks = (modal.view.blocks as Array<Record<string, unknown>> | undefined) ?? [];
    const input = blocks.find((b) => b.type === 'input');
    const element = input?.element as Record<string, unknown> | undefined;
    if (!input || !element) throw new Error('The modal has no input field.');
    const result = await this.world.driver.submitView({
      user: this.user,
      viewId: modal.id,
      values: { [String(input.block_id)]: { [String(element.action_id)]: text } },
    });
    if (result.outcome === 'errors') this.write(`(modal says: ${Object.values(result.errors ?? {}).join('; ')})`);
    await this.settle();
  }

  /** `wait`: until no run is queued or running (bounded), then until Slack is quiet. */
  private async waitIdle(maxMs = 120_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    const busy = async () =>
      (await this.world.bot.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE status IN ('queued', 'running')`)).rows[0]?.n ?? 0;
    while ((await busy()) > 0) {
      if (Date.now() > deadline) throw new Error('runs are still going after 2 minutes; check /eafix runs');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.settle();
  }

  /** Waits until Slack has been quiet for a moment (bounded), then prints what changed. */
  async settle(maxMs = 5_000): Promise<void> {
    const quietMs = 250;
    const deadline = Date.now() + maxMs;
    let last = Date.now();
    const onChange = () => (last = Date.now());
    this.world.slack.on('change', onChange);
    try {
      while (Date.now() - last < quietMs && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      this.world.slack.off('change', onChange);
    }
    this.flush();
  }

  /** Prints new and edited messages, ephemerals for the current user, and newly opened modals. */
  flush(): void {
    for (const channel of this.world.slack.state.channels.values()) {
      for (const message of this.world.slack.messages(channel.id)) {
        this.show(channel.id, channel.name, message, '');
        if (message.reply_count) {
          for (const reply of this.world.slack.thread(channel.id, message.ts).slice(1)) this.show(channel.id, channel.name, reply, '    ↳ ');
        }
      }
    }
    const userId = this.world.slack.userId(this.user);
    for (const eph of this.world.slack.state.ephemerals ?? []) {
      const key = `${eph.channel}:${eph.user}:${eph.ts}`;
      if (this.seenEphemerals.has(key)) continue;
      this.seenEphemerals.add(key);
      if (eph.user !== userId || eph.deleted) continue;
      const where = { channel: eph.channel, messageTs: eph.ts };
      const body = eph.blocks?.length ? renderBlocks(eph.blocks, this.names, (b) => this.addButton(b), where) : [renderMrkdwn(eph.text, this.names)];
      this.write(`[#${this.names.channel(eph.channel)}] eafix (only visible to you):`);
      for (const line of body) this.write(`  ${line}`);
    }
    for (const view of this.world.slack.openModals(userId)) {
      if (this.seenViews.has(view.id)) continue;
      this.seenViews.add(view.id);
      const title = (view.view.title as { text?: string } | undefined)?.text ?? 'Modal';
      this.write(`[modal] ${title}`);
      for (const line of renderBlocks((view.view.blocks as unknown[]) ?? [], this.names, (b) => this.addButton(b), { viewId: view.id })) this.write(`  ${line}`);
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
    const body = message.blocks?.length ? renderBlocks(message.blocks, this.names, (b) => this.addButton(b), where) : [renderMrkdwn(message.text, this.names)];
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
