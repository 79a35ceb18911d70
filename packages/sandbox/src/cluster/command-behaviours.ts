/**
 * What a container command does when a Job's pod runs it: stdout and stderr lines, exit code,
 * duration in simulated time and an optional effect on the simulated platform, applied when the
 * command finishes. Tests and the sandbox register behaviours by argv prefix (and optionally image);
 * the most recent matching registration wins, so a test can make one command fail once. A command
 * nothing matches exits 127 with "command not found" on stderr, as a shell would.
 */
import type { PlatformState } from './platform-state.ts';

export interface CommandInvocation {
  argv: readonly string[];
  image: string;
  namespace: string;
  pod: string;
  /** The container's `env` values (plain `value`s only). */
  env: Readonly<Record<string, string>>;
  /** The platform as the command finds it when it starts (a copy: change it through `effect`). */
  platform: Readonly<PlatformState>;
  /** Another namespace's platform (`--namespace=eafix-restore-test`); undefined when there is no such namespace. */
  platformOf?: (namespace: string) => Readonly<PlatformState> | undefined;
}

export interface CommandResult {
  stdout?: string[];
  stderr?: string[];
  /** Default 0. */
  exitCode?: number;
  /** Simulated milliseconds from container start to exit; default 500. */
  durationMs?: number;
  /** Applied to the namespace's platform state when the command exits (not when it is killed). */
  effect?: (platform: PlatformState) => void;
}

export type CommandBehaviour = CommandResult | ((invocation: CommandInvocation) => CommandResult);

export interface CommandRule {
  /** Matches when the container's argv starts with these words (`['eafix-cli', 'trading', 'stop']`). */
  argv: readonly string[];
  /** Matches only images whose repository (tag and digest removed) ends with this (`eafix-toolbox`). */
  image?: string;
  behaviour: CommandBehaviour;
  /** Applies this many times, then is forgotten (failure injection). Default: for good. */
  times?: number;
}

export interface ResolvedCommand {
  stdout: string[];
  stderr: string[];
  exitCode: number;
  durationMs: number;
  effect?: (platform: PlatformState) => void;
}

const DEFAULT_DURATION_MS = 500;

function repository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

function matches(rule: CommandRule, inv: CommandInvocation): boolean {
  if (rule.image !== undefined && !repository(inv.image).endsWith(rule.image)) return false;
  return rule.argv.length <= inv.argv.length && rule.argv.every((word, i) => inv.argv[i] === word);
}

export class CommandBehaviours {
  private rules: { rule: CommandRule; remaining: number }[] = [];

  /** Registers a behaviour; returns a function that removes it. */
  register(rule: CommandRule): () => void {
    const entry = { rule, remaining: rule.times ?? Number.POSITIVE_INFINITY };
    this.rules.push(entry);
    return () => {
      this.rules = this.rules.filter((e) => e !== entry);
    };
  }

  resolve(inv: CommandInvocation): ResolvedCommand {
    const entry = [...this.rules].reverse().find((e) => e.remaining > 0 && matches(e.rule, inv));
    if (!entry) {
      const shown = inv.argv.length > 0 ? inv.argv.join(' ') : '(no command)';
      return { stdout: [], stderr: [`sh: 1: ${shown}: command not found`], exitCode: 127, durationMs: 20 };
    }
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.rules = this.rules.filter((e) => e !== entry);
    const b = entry.rule.behaviour;
    const result = typeof b === 'function' ? b(inv) : b;
    return {
      stdout: result.stdout ?? [],
      stderr: result.stderr ?? [],
      exitCode: result.exitCode ?? 0,
      durationMs: result.durationMs ?? DEFAULT_DURATION_MS,
      ...(result.effect ? { effect: result.effect } : {}),
    };
  }
}
