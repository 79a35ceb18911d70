import { describe, expect, it } from 'vitest';
import { describeDatabaseRollbackFailure } from '../../../src/handlers/disaster-recovery/rollback-database-state.ts';

const input = {
  environment: 'production',
  backup: 'eafix-backup-20261130-020000',
  // What ran before: green live at 3; the plan brings blue (the previous version) up at 3 and keeps green at 0.
  stopped: { 'eafix-green': 3, 'eafix-risk-manager': 2 },
  services: { 'eafix-green': 0, 'eafix-blue': 3, 'eafix-risk-manager': 2 },
  switchTo: 'blue' as const,
};
const done = (...steps: string[]) => new Set(steps);

describe('what a failed database rollback left, and the next command', () => {
  it('before the restore is verified, brings back what ran before (the live colour, not the idle one)', () => {
    const partly = describeDatabaseRollbackFailure(input, done());
    expect(partly).toContain('services may be partly stopped');
    expect(partly).toContain('/eafix scale eafix-green 3');
    expect(partly).not.toContain('eafix-blue');
    const unverified = describeDatabaseRollbackFailure(input, done('stop-services', 'restore'));
    expect(unverified).toContain('all services are *stopped*');
    expect(unverified).toContain('did not pass `database verify`');
    expect(unverified).toContain('/eafix scale eafix-green 3');
  });

  it('after the restore, brings up the previous version and moves the gateway to it', () => {
    const starting = describeDatabaseRollbackFailure(input, done('stop-services', 'restore', 'verify'));
    expect(starting).toContain('/eafix scale eafix-blue 3');
    expect(starting).not.toContain('/eafix scale eafix-green');
    expect(starting).toContain('then `/eafix rollback --to=blue --environment=production');
    const switching = describeDatabaseRollbackFailure(
      input,
      done('stop-services', 'restore', 'verify', 'start-services'),
    );
    expect(switching).toContain('the gateway still selects the stopped colour: no traffic is served');
    expect(switching).toContain('`/eafix rollback --to=blue --environment=production --reason "…"` now');
    expect(switching).not.toContain('rollback database');
  });

  it('a run planned before it recorded what ran falls back to the restart replicas', () => {
    const { stopped: _stopped, switchTo: _switchTo, ...old } = input;
    expect(describeDatabaseRollbackFailure(old, done())).toContain('/eafix scale eafix-blue 3');
  });
});
