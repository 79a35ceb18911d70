import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/app-error.ts';
import { changeMeta } from '../../../src/handlers/core/change-meta.ts';
import type { ResolvedRoles } from '../../../src/permissions/role-resolver.ts';

const operator = { user: 'eafix:operator', groups: ['eafix-operators'] };
const commander = { user: 'eafix:incident-commander', groups: ['eafix-break-glass'] };
/** Each test asks for its own requester: the identities this process resolved are remembered per requester. */
const origin = (requestedBy: string) => ({ requestedBy, requestId: 'req_1', approvalId: 'apr_1' });

/** changeMeta's view of the deps: the policy's mapping (operator first) and the requester's roles as Slack tells them. */
function deps(resolved: ResolvedRoles | (() => never)) {
  return {
    impersonation: { operator, 'incident-commander': commander },
    authorizer: {
      roles: { rolesOf: () => (typeof resolved === 'function' ? resolved() : Promise.resolve(resolved)) },
    },
  } as unknown as Parameters<typeof changeMeta>[0];
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('changeMeta with impersonation', () => {
  it("acts as the identity of the requester's first role in the policy's order", async () => {
    const meta = await changeMeta(
      deps({ roles: ['incident-commander', 'operator', 'viewer'], complete: true }),
      origin('U0A'),
      'why',
    );
    expect(meta).toMatchObject({ requestedBy: 'U0A', reason: 'why', approvalId: 'apr_1', impersonate: operator });
  });

  it("writes as the bot's own account for a requester whose roles map to no identity", async () => {
    expect((await changeMeta(deps({ roles: ['viewer'], complete: true }), origin('U0B'), 'why')).impersonate).toBe(
      undefined,
    );
  });

  it('writes nothing when Slack cannot say which roles the requester holds', async () => {
    const error = await failure(changeMeta(deps({ roles: ['viewer'], complete: false }), origin('U0C'), 'why'));
    expect(isAppError(error) && error.kind).toBe('upstream');
    expect(isAppError(error) && error.userMessage).toContain('nothing was changed');
  });

  it('acts as the first-listed role it knows is held while another user group did not answer', async () => {
    const meta = await changeMeta(deps({ roles: ['operator', 'viewer'], complete: false }), origin('U0D'), 'why');
    expect(meta.impersonate).toEqual(operator);
  });

  it('never acts as a later-listed identity when an earlier one cannot be ruled out', async () => {
    // Held directly; the operator role's user group did not answer, and operator comes first in the policy.
    const unsure = deps({ roles: ['incident-commander', 'viewer'], complete: false });
    expect(isAppError(await failure(changeMeta(unsure, origin('U0E'), 'why')))).toBe(true);
  });

  it("keeps acting as the requester's identity resolved earlier while Slack does not answer (a run's later step)", async () => {
    await changeMeta(deps({ roles: ['operator'], complete: true }), origin('U0F'), 'scale up');
    const later = await changeMeta(deps({ roles: ['viewer'], complete: false }), origin('U0F'), 'switch back');
    expect(later.impersonate).toEqual(operator);
  });

  it("writes the bot's schedules as its own account without asking Slack", async () => {
    const never = () => {
      throw new Error('Slack was asked');
    };
    expect((await changeMeta(deps(never), origin('eafix-schedule'), 'weekly window')).impersonate).toBe(undefined);
  });
});
