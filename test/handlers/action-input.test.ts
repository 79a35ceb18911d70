import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/handlers/core/define-action.ts';
import { buildInput } from '../../src/handlers/core/action-input.ts';
import { usageLine } from '../../src/handlers/core/action-fields.ts';
import { AppError } from '../../src/app-error.ts';
import { renderActionHelp } from '../../src/handlers/bot-commands/help-presenter.ts';
import { deploy } from '../../src/handlers/deployment/deploy.ts';

const scale = defineAction({
  id: 'scale',
  kind: 'change',
  chapter: 'Troubleshooting',
  summary: 'Scale a service',
  positional: ['service', 'replicas'],
  input: z.object({
    service: z.string(),
    replicas: z.coerce.number().int().min(0),
    environment: z.enum(['production', 'staging', 'dr']).default('production'),
    dryRun: z.boolean().default(false),
    reason: z.string().min(5).optional(),
  }),
  risk: 'change',
  permission: 'cluster.scale',
  examples: ['scale risk-manager 4 --environment=staging'],
  run: async () => ({ text: 'ok' }),
});

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('buildInput', () => {
  it('maps positionals and options onto the schema, with defaults', () => {
    expect(buildInput(scale, ['risk-manager', '4', '--dry-run', '--reason', 'load spike'])).toEqual({
      service: 'risk-manager',
      replicas: 4,
      environment: 'production',
      dryRun: true,
      reason: 'load spike',
    });
  });

  it('names a missing positional and shows usage and an example', () => {
    const error = errorOf(() => buildInput(scale, ['risk-manager']));
    expect(error.code).toBe('invalid_arguments');
    expect(error.userMessage).toContain('<replicas> is required');
    expect(error.hints.join('\n')).toContain('Usage: `/eafix scale <service> <replicas>');
    expect(error.hints.join('\n')).toContain('Example: `/eafix scale risk-manager 4 --environment=staging`');
  });

  it('lists the choices of an enum', () => {
    expect(errorOf(() => buildInput(scale, ['a', '1', '--environment=prod'])).userMessage).toContain(
      '--environment must be one of production, staging, dr',
    );
  });

  it('refuses unknown options, naming the known ones', () => {
    const error = errorOf(() => buildInput(scale, ['a', '1', '--force']));
    expect(error.userMessage).toContain('`--force` is not an option');
    expect(error.userMessage).toContain('--environment');
  });

  it('refuses extra words and non-numbers', () => {
    expect(errorOf(() => buildInput(scale, ['a', '1', 'b'])).userMessage).toContain('Unexpected `b`');
    expect(errorOf(() => buildInput(scale, ['a', 'many'])).userMessage).toContain(
      '<replicas> must be a whole number, not `many`',
    );
    expect(errorOf(() => buildInput(scale, ['a', '2.5'])).userMessage).toContain('<replicas> must be a whole number');
    expect(errorOf(() => buildInput(scale, ['a', '1', '--dry-run=maybe'])).userMessage).toContain(
      '--dry-run must be true or false, not `maybe`',
    );
  });
});

describe('usageLine', () => {
  it('is derived from the schema', () => {
    expect(usageLine(scale)).toBe(
      '/eafix scale <service> <replicas> [--environment=production|staging|dr] [--dry-run] [--reason=<reason>]',
    );
  });
});

describe('fields set from the approved plan', () => {
  it('refuses them typed, and leaves them out of usage and help', () => {
    const error = errorOf(() =>
      buildInput(deploy, ['2.5.0', '--checklist=all', '--reason', 'release 2.5.0', '--image=evil:1']),
    );
    expect(error.userMessage).toContain('`--image` is set from the plan two people approve, not typed');
    expect(usageLine(deploy)).not.toMatch(/--(colour|from|image|replicas|idle-before)\b/);
    expect(renderActionHelp(deploy).text).not.toMatch(/--(colour|from|image|replicas|idle-before)\b/);
    expect(errorOf(() => buildInput(deploy, ['2.5.0', '--colur=green'])).userMessage).not.toContain('--colour');
    // Without them the command parses as before.
    expect(buildInput(deploy, ['2.5.0', '--checklist=all', '--reason', 'release 2.5.0'])).toMatchObject({
      version: '2.5.0',
    });
  });
});
