import type { SandboxWorld } from './sandbox-world.ts';
import type { EmuMessage } from './slack/index.ts';
import { renderBlocks, renderMrkdwn, type ConsoleButton, type NameLookup } from './console-render.ts';
import { workInFlight, type Busy } from './bot-activity.ts';
import { parseFieldValues } from './modal-fields.ts';

const HELP = `Console commands:
  /eafix <action> [args]   run a command as the current user in the current channel
  /as <user>               act as alice, bob, carol or dave
  /in #<channel>           switch channel (#eafix-ops, #eafix-incidents, #security, or any the bot created;
                           a prefix such as #inc- picks the newest matching war room)
  press <n | label>        press button n, or the latest button with that label
  submit <text>            fill the open modal's first field with <text> and submit it
  submit field=value ...   fill the modal's named fields (block id or label; quote values with spaces,
                           commas for several options, * ticks them all; prefilled fields keep their
                           values) and submit it
  wait [seconds]           wait until nothing earlier lines started is still going: requests, runs, jobs,
                           war-room set-up (first letting that many seconds pass, for timers); fails after 2 min
  replay                   send the last request to the bot again, byte for byte (an attacker's replay)
  expect <text>            the previous line's output must contain <text>
  expect-error <text>      the previous line must have ended in an error or refusal saying <text>
                           (any other error or refusal fails a script)
  /digests on|off          post the policy's digests on their schedules (off in the console until asked)
  reset                    start again from a clean world: database, Redis, Slack and cluster
  help, quit`;

/** How what a person sees starts when the bot refused or failed (the error mapper's and run reports' marks). */
const ERROR_MARKS = [':warning:', ':x:', ':no_entry:', ':no_entry_sign:'];
/** A console line's own wait: the bot finishing the requests it made (not the runs it started). */
const LINE_SETTLE_MS = 30_000;
const WAIT_IDLE_MS = 120_000;

export interface ConsoleHooks {
  /** Replaces the world by a clean one (`reset`). */
  reset?: () => Promise<SandboxWorld>;
  /** Turns the policy's digest schedules on or off; says what it did. */
  digests?: (on: boolean) => Promise<string>;
}

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
  /** Output and errors of the last action line, for `expect` and `expect-error`. */
  private lastOutput: string[] = [];
  private lastErrors: string[] = [];
  private lastLine = '';
  private readonly seenFailedRuns = new Set<string>();
  private lastAuditId = 0;
  failures = 0;
  private readonly write: (line: string) => void;

  constructor(
    private world: SandboxWorld,
    write: (line: string) => void,
    private readonly hooks: ConsoleHooks = {},
  ) {
    this.write = (line) => {
      this.lastOutput.push(line);
      write(line);
    };
  }

  get prompt(): string {
    return `${this.user} in #${this.channel}> `;
  }

  private readonly names: NameLookup = {
    user: (id) => this.world.slack.state.users.get(id)?.name ?? (id === this.world.slack.botUserId ? 'eafix' : id),
    channel: (id) => this.world.slack.state.channels.get(id)?.name ?? id,
    usergroup: (id) => [...this.world.slack.state.usergroups.values()].find((g) => g.id === id)?.handle ?? id,
  };

  /**
   * Runs one console line; errors are printed, counted, and never thrown. A line whose action the bot
   * refused or failed counts as a failure too, unless the next line is an `expect-error` that matches.
   */
  async execute(line: string): Promise<void> {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const [word = '', ...rest] = trimmed.split(/\s+/);
    const arg = rest.join(' ');
    if (word === 'expect' || word === 'expect-error') {
      this.expectation(word, arg);
      return;
    }
    this.conclude();
    this.lastOutput = [];
    this.lastErrors = [];
    this.lastLine = trimmed;
    try {
      if (word === '/as') this.switchUser(arg);
      else if (word === '/in') this.switchChannel(arg);
      else if (word.startsWith('/eafix')) await this.command(trimmed.slice('/eafix'.length).trim());
      else if (word === 'press') await this.press(arg);
      else if (word === 'submit') await this.submit(arg);
      else if (word === 'wait') await this.wait(arg);
      else if (word === 'replay') await this.replay();
      else if (word === '/digests') await this.digests(arg);
      else if (word === 'reset') await this.reset();
      else if (word === 'help') this.write(HELP);
      else throw new Error(`Unknown console command "${word}". Type help.`);
      await this.collectFailures();
    } catch (error) {
      this.lastErrors.push(error instanceof Error ? error.message : String(error));
      this.write(`!! ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** True for the lines that judge the previous one instead of acting. */
  static isExpectation(line: string): boolean {
    return /^expect(-error)?(\s|$)/.test(line.trim());
  }

  /**
   * Ends the previous action line: an error or refusal no `expect-error` excused is a failure. Called
   * before the next action line (scripts call it before echoing that line) and at the end.
   */
  conclude(): void {
    if (this.lastErrors.length === 0) return;
    this.failures += 1;
    this.write(
      `!! \`${this.lastLine}\` ended in an error or refusal that no expect-error excused: ${this.lastErrors.join('; ')}`,
    );
    this.lastErrors = [];
  }

  /** `expect <text>` checks the previous line's output; `expect-error <text>` excuses its error. */
  private expectation(word: string, text: string): void {
    const wanted = text.replace(/^["']|["']$/g, '').toLowerCase();
    const output = this.lastOutput.join('\n').toLowerCase();
    if (!wanted) {
      this.failures += 1;
      this.write(`!! ${word} needs the text to look for, e.g. ${word} "not allowed"`);
    } else if (word === 'expect') {
      if (output.includes(wanted)) this.write(`(ok: saw "${text}")`);
      else {
        this.failures += 1;
        this.write(`!! expected "${text}" after \`${this.lastLine}\`, but it was not shown`);
      }
    } else if (this.lastErrors.length === 0) {
      this.failures += 1;
      this.write(`!! expected \`${this.lastLine}\` to end in an error saying "${text}", but it succeeded`);
    } else if (this.lastErrors.some((e) => e.toLowerCase().includes(wanted)) || output.includes(wanted)) {
      this.lastErrors = [];
      this.write(`(ok: refused as expected: "${text}")`);
    } else {
      this.failures += 1;
      this.write(`!! \`${this.lastLine}\` failed, but not with "${text}": ${this.lastErrors.join('; ')}`);
      this.lastErrors = [];
    }
  }

  /** Runs that failed and audit entries recording a refusal or an error since the previous line. */
  private async collectFailures(): Promise<void> {
    const pool = this.world.bot.pool;
    const failed = await pool.query<{ id: string; kind: string; error: string | null }>(
      `SELECT id, kind, error FROM runs WHERE status = 'failed'`,
    );
    for (const run of failed.rows) {
      if (this.seenFailedRuns.has(run.id)) continue;
      this.seenFailedRuns.add(run.id);
      this.lastErrors.push(`run ${run.id} (${run.kind}) failed${run.error ? `: ${run.error}` : ''}`);
      this.write(`!! run ${run.id} (${run.kind}) failed${run.error ? `: ${run.error}` : ''}`);
    }
    const audit = await pool.query<{ id: string; action: string; outcome: string }>(
      `SELECT id, action, outcome FROM audit_log WHERE id > $1 ORDER BY id`,
      [this.lastAuditId],
    );
    for (const row of audit.rows) {
      this.lastAuditId = Math.max(this.lastAuditId, Number(row.id));
      if (row.outcome === 'error' || row.outcome.startsWith('rejected')) {
        const text = `${row.action}: ${row.outcome}`;
        if (!this.lastErrors.some((e) => e.includes(text))) this.lastErrors.push(text);
      }
    }
  }

  private async digests(arg: string): Promise<void> {
    if (arg !== 'on' && arg !== 'off') throw new Error('Usage: /digests on|off');
    if (!this.hooks.digests) throw new Error('Digest schedules cannot be switched here.');
    this.write(`(${await this.hooks.digests(arg === 'on')})`);
  }

  private async reset(): Promise<void> {
    if (!this.hooks.reset) throw new Error('This console cannot reset its world.');
    this.write('(resetting: a clean database schema, Redis prefix, Slack workspace and cluster...)');
    this.world = await this.hooks.reset();
    this.rendered.clear();
    this.seenEphemerals.clear();
    this.seenViews.clear();
    this.seenFailedRuns.clear();
    this.buttons = [];
    this.lastAuditId = 0;
    this.user = 'alice';
    this.channel = 'eafix-ops';
    this.write('(a clean world: acting as alice in #eafix-ops)');
  }

  private switchUser(name: string): void {
    const user = [...this.world.slack.state.users.values()].find((u) => u.name === name.replace(/^@/, ''));
    if (!user)
      throw new Error(
        `No user "${name}". Users: ${[...this.world.slack.state.users.values()]
          .filter((u) => !u.is_bot)
          .map((u) => u.name)
          .join(', ')}`,
      );
    this.user = user.name;
    this.write(`(now acting as ${user.name})`);
  }

  /** Demo time for reminders and escalation; scripts are not tests, so a plain pause is fine here. */
  private async wait(seconds: string): Promise<void> {
    const pause = Number(seconds);
    if (seconds && !(pause > 0 && pause <= 120)) throw new Error('wait takes a number of seconds up to 120.');
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause * 1000));
    await this.settle(WAIT_IDLE_MS, 'everything');
  }

  private switchChannel(name: string): void {
    const prefix = name.replace(/^#/, '');
    const channels = [...this.world.slack.state.channels.values()].filter((c) => !c.is_im);
    const wanted =
      channels.find((c) => c.name === prefix)?.name ?? channels.filter((c) => c.name.startsWith(prefix)).at(-1)?.name;
    if (!wanted) throw new Error(`No channel #${prefix}.`);
    this.channel = wanted;
    this.write(`(now in #${wanted})`);
    // War rooms are set up by the bot: show what a person would see in the channel header.
    const channel = this.world.slack.channelByName(wanted);
    const pins = this.world.slack.state.pins.get(channel.id)?.length ?? 0;
    if (channel.topic.value) this.write(`(topic: ${renderMrkdwn(channel.topic.value, this.names)})`);
    if (channel.purpose.value) this.write(`(purpose: ${renderMrkdwn(channel.purpose.value, this.names)})`);
    this.write(
      `(members: ${channel.members.map((m) => this.names.user(m)).join(', ')}${pins ? `; ${pins} pinned` : ''})`,
    );
  }

  private async command(text: string): Promise<void> {
    const response = await this.world.driver.command({ user: this.user, channel: this.channel, text });
    if (response.failure) this.lastErrors.push(`Slack shows "/eafix failed with the error ${response.failure}"`);
    else if (response.status !== 200) throw new Error(`the bot answered HTTP ${response.status}`);
    await this.settle();
  }

  private async press(which: string): Promise<void> {
    const number = Number(which);
    const target =
      Number.isInteger(number) && number > 0
        ? this.buttons.find((b) => b.number === number)
        : [...this.buttons].reverse().find((b) => b.label.toLowerCase() === which.toLowerCase());
    if (!target) throw new Error(`No button "${which}" on screen.`);
    this.write(`(${this.user} presses "${target.label}")`);
    if (target.channel && target.messageTs) await this.approvalRecorded(target.channel, target.messageTs);
    const response = await this.world.driver.clickButton({
      user: this.user,
      actionId: target.actionId,
      ...(target.viewId
        ? { viewId: target.viewId }
        : { channel: target.channel as string, messageTs: target.messageTs as string }),
    });
    if (response.status !== 200) this.lastErrors.push(`the bot answered the click with HTTP ${response.status}`);
    await this.settle();
  }

  /**
   * An approval message reaches Slack through the outbox a moment before the bot records its ts on the
   * request, and a click in between is refused as "still being recorded": a person would not be that
   * fast, so `press` waits (bounded) until the request knows its message.
   */
  private async approvalRecorded(channel: string, ts: string): Promise<void> {
    const message = this.world.slack.state.findMessage(channel, ts);
    const id = message ? /apr_[0-9a-f]{12}/.exec(JSON.stringify(message.blocks ?? []))?.[0] : undefined;
    if (!id) return;
    const deadline = Date.now() + LINE_SETTLE_MS;
    for (;;) {
      const { rows } = await this.world.bot.pool.query<{ recorded: boolean }>(
        'SELECT message_ts IS NOT NULL AS recorded FROM approval_requests WHERE id = $1',
        [id],
      );
      if (rows[0]?.recorded !== false) return;
      if (Date.now() > deadline)
        throw new Error(`approval ${id} has still not recorded its message after ${LINE_SETTLE_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Shows what the bot does with a captured request sent again: refused, audited, nothing run. */
  private async replay(): Promise<void> {
    if (!this.world.driver.lastRequest)
      throw new Error('Nothing to replay yet: run a command or press a button first.');
    const response = await this.world.driver.replayLast();
    const said =
      typeof response.body === 'object' && response.body !== null
        ? String((response.body as { text?: unknown }).text ?? '')
        : String(response.body ?? '');
    this.write(
      `(replayed the last request: HTTP ${response.status}${said ? `, answer: ${renderMrkdwn(said, this.names)}` : ', empty answer'})`,
    );
    await this.settle();
  }

  private async submit(text: string): Promise<void> {
    const modal = this.world.slack.openModals(this.user).at(-1);
    if (!modal) throw new Error('No modal is open.');
    const blocks = (modal.view.blocks as Array<Record<string, unknown>> | undefined) ?? [];
    const inputs = blocks.filter((b) => b.type === 'input');
    const first = inputs[0];
    if (!first) throw new Error('The modal has no input field.');
    const named = parseFieldValues(text, inputs);
    const values = named ?? {
      [String(first.block_id)]: { [String((first.element as Record<string, unknown>).action_id)]: text },
    };
    const result = await this.world.driver.submitView({ user: this.user, viewId: modal.id, values });
    if (result.outcome === 'errors') {
      const errors = Object.entries(result.errors ?? {}).map(([field, error]) => `${field}: ${error}`);
      this.write(`(modal says: ${errors.join('; ')})`);
      this.lastErrors.push(`the modal refused the submission: ${errors.join('; ')}`);
    } else if (result.outcome === 'failed') {
      this.lastErrors.push(
        `the submission failed${result.viewErrors ? `: ${result.viewErrors.join('; ')}` : ` (HTTP ${result.status})`}`,
      );
    }
    await this.settle();
  }

  /**
   * Waits until the bot has finished what earlier lines asked (bounded; past the bound the line fails),
   * then until Slack has been quiet for a moment, and prints what changed. A console line waits for the
   * requests it made and the war rooms they set up; `wait` also waits for runs, jobs and deliveries.
   */
  async settle(maxMs = LINE_SETTLE_MS, scope: 'requests' | 'everything' = 'requests'): Promise<void> {
    const quietMs = 250;
    const deadline = Date.now() + maxMs;
    let last = Date.now();
    const onChange = () => (last = Date.now());
    this.world.slack.on('change', onChange);
    try {
      for (;;) {
        const busy = await this.stillBusy(scope);
        if (busy.length === 0 && Date.now() - last >= quietMs) break;
        if (Date.now() > deadline) {
          this.flush();
          throw new Error(
            `the bot is still busy after ${Math.round(maxMs / 1000)} s: ${busy.map((b) => b.text).join('; ') || 'Slack is still changing'}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      this.world.slack.off('change', onChange);
    }
    this.flush();
  }

  private async stillBusy(scope: 'requests' | 'everything'): Promise<Busy[]> {
    const busy = await workInFlight(this.world);
    return scope === 'everything' ? busy : busy.filter((b) => b.kind === 'request' || b.kind === 'war-room');
  }

  /** Prints new and edited messages, ephemerals for the current user, and newly opened modals. */
  flush(): void {
    for (const channel of this.world.slack.state.channels.values()) {
      for (const message of this.world.slack.messages(channel.id)) {
        this.show(channel.id, channel.name, message, '');
        if (message.reply_count) {
          for (const reply of this.world.slack.thread(channel.id, message.ts).slice(1))
            this.show(channel.id, channel.name, reply, '    ↳ ');
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
      const body = eph.blocks?.length
        ? renderBlocks(eph.blocks, this.names, (b) => this.addButton(b), where)
        : [renderMrkdwn(eph.text, this.names)];
      // A refusal or failure, shown to this person as Slack would: it fails a script unless expected.
      if (ERROR_MARKS.some((mark) => eph.text.trimStart().startsWith(mark)))
        this.lastErrors.push(renderMrkdwn(eph.text.split('\n')[0] ?? '', this.names));
      this.write(`[#${this.names.channel(eph.channel)}] eafix (only visible to you):`);
      for (const line of body) this.write(`  ${line}`);
    }
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
