/** The diagnosis playbooks as the e2e tests drive them: through the invocation path, read by verdict. */
import { expect } from 'vitest';
import { invoke } from '../../src/handlers/core/invoke.ts';
import type { Reply } from '../../src/handlers/core/reply.ts';
import { createLogger } from '../../src/logger.ts';
import type { TestWorld } from './world.ts';

/** Runs `/eafix <text>` as `userId` in #eafix-ops and returns its reply (which must be ok). */
export function diagnoser(
  world: () => TestWorld,
  userId: string,
  requestPrefix: string,
): (text: string) => Promise<Reply> {
  let n = 0;
  return async (text) => {
    n += 1;
    const w = world();
    const outcome = await invoke(
      {
        command: { text },
        invoker: { userId, teamId: w.slack.teamId, channelId: w.slack.channelId('eafix-ops') },
        requestId: `${requestPrefix}_${n}`,
        logger: createLogger({ level: 'silent' }),
      },
      { deps: w.bot.deps, approvals: w.bot.approvalService },
    );
    expect(outcome.outcome, outcome.reply.text).toBe('ok');
    return outcome.reply;
  };
}

/** The verdict each check's line shows, by check name. */
export function verdicts(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/\*([^*]+)\* — (OK|WARN|FAIL):/g)) out[m[1]!] = m[2]!;
  return out;
}

/** Makes the platform command `argv` print `stdout` as its JSON result (and exit so) until undone. */
export function answerCommand(world: TestWorld, argv: string[], stdout: unknown, exitCode = 0): () => void {
  return world.cluster.workloads.behaviours.register({
    argv,
    behaviour: { stdout: ['checked', JSON.stringify(stdout)], exitCode, durationMs: 100 },
  });
}
