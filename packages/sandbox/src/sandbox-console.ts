import type { SandboxWorld } from './sandbox-world.ts';
import { renderMrkdwn } from './console-render.ts';
import { parseFieldValues } from './modal-fields.ts';
import { CONSOLE_HELP } from './console-help.ts';
import { LineVerdicts } from './line-verdicts.ts';
import { BotFailureWatch } from './bot-failures.ts';
import { ConsoleScreen } from './console-screen.ts';
import { approvalRecorded, botSettled, LINE_SETTLE_MS, WAIT_IDLE_MS, type SettleScope } from './bot-waits.ts';

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
  private readonly verdicts: LineVerdicts;
  private screen: ConsoleScreen;
  private failureWatch: BotFailureWatch;
  private readonly write: (line: string) => void;

  constructor(
    private world: SandboxWorld,
    write: (line: string) => void,
    private readonly hooks: ConsoleHooks = {},
  ) {
    this.write = (line) => {
      this.verdicts.shown(line);
      write(line);
    };
    this.verdicts = new LineVerdicts(this.write);
    this.screen = this.newScreen();
    this.failureWatch = new BotFailureWatch(world);
  }

  get prompt(): string {
    return `${this.user} in #${this.channel}> `;
  }

  /** Lines that ended in an error or an unmet expectation so far. */
  get failures(): number {
    return this.verdicts.failures;
  }

  /** True for the lines that judge the previous one instead of acting. */
  static isExpectation(line: string): boolean {
    return LineVerdicts.isExpectation(line);
  }

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
      this.verdicts.expectation(word, arg);
      return;
    }
    this.conclude();
    this.verdicts.start(trimmed);
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
      else if (word === 'help') this.write(CONSOLE_HELP);
      else throw new Error(`Unknown console command "${word}". Type help.`);
      await this.collectFailures();
    } catch (error) {
      this.verdicts.error(error instanceof Error ? error.message : String(error));
      this.write(`!! ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Ends the previous action line: an error or refusal no `expect-error` excused is a failure. Called
   * before the next action line (scripts call it before echoing that line) and at the end.
   */
  conclude(): void {
    this.verdicts.conclude();
  }

  /**
   * Waits until the bot has finished what earlier lines asked (bounded; past the bound the line fails),
   * then until Slack has been quiet for a moment, and prints what changed. A console line waits for the
   * requests it made and the war rooms they set up; `wait` also waits for runs, jobs and deliveries.
   */
  async settle(maxMs = LINE_SETTLE_MS, scope: SettleScope = 'requests'): Promise<void> {
    await botSettled(this.world, maxMs, scope, () => this.flush());
    this.flush();
  }

  /** Prints new and edited messages, ephemerals for the current user, and newly opened modals. */
  flush(): void {
    this.screen.flush(this.user);
  }

  private newScreen(): ConsoleScreen {
    return new ConsoleScreen(this.world, this.write, (text) => this.verdicts.error(text));
  }

  /** Runs that failed and audit entries recording a refusal or an error since the previous line. */
  private async collectFailures(): Promise<void> {
    const { failedRuns, refusals } = await this.failureWatch.sinceLastLook();
    for (const text of failedRuns) {
      this.verdicts.error(text);
      this.write(`!! ${text}`);
    }
    for (const text of refusals) if (!this.verdicts.hasError(text)) this.verdicts.error(text);
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
    this.screen = this.newScreen();
    this.failureWatch = new BotFailureWatch(this.world);
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
    const names = this.screen.names;
    const channel = this.world.slack.channelByName(wanted);
    const pins = this.world.slack.state.pins.get(channel.id)?.length ?? 0;
    if (channel.topic.value) this.write(`(topic: ${renderMrkdwn(channel.topic.value, names)})`);
    if (channel.purpose.value) this.write(`(purpose: ${renderMrkdwn(channel.purpose.value, names)})`);
    this.write(`(members: ${channel.members.map((m) => names.user(m)).join(', ')}${pins ? `; ${pins} pinned` : ''})`);
  }

  private async command(text: string): Promise<void> {
    const response = await this.world.driver.command({ user: this.user, channel: this.channel, text });
    if (response.failure) this.verdicts.error(`Slack shows "/eafix failed with the error ${response.failure}"`);
    else if (response.status !== 200) throw new Error(`the bot answered HTTP ${response.status}`);
    await this.settle();
  }

  private async press(which: string): Promise<void> {
    const target = this.screen.button(which);
    if (!target) throw new Error(`No button "${which}" on screen.`);
    this.write(`(${this.user} presses "${target.label}")`);
    if (target.channel && target.messageTs) await approvalRecorded(this.world, target.channel, target.messageTs);
    const response = await this.world.driver.clickButton({
      user: this.user,
      actionId: target.actionId,
      ...(target.viewId
        ? { viewId: target.viewId }
        : { channel: target.channel as string, messageTs: target.messageTs as string }),
    });
    if (response.status !== 200) this.verdicts.error(`the bot answered the click with HTTP ${response.status}`);
    await this.settle();
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
      `(replayed the last request: HTTP ${response.status}${said ? `, answer: ${renderMrkdwn(said, this.screen.names)}` : ', empty answer'})`,
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
      this.verdicts.error(`the modal refused the submission: ${errors.join('; ')}`);
    } else if (result.outcome === 'failed') {
      this.verdicts.error(
        `the submission failed${result.viewErrors ? `: ${result.viewErrors.join('; ')}` : ` (HTTP ${result.status})`}`,
      );
    }
    await this.settle();
  }
}
