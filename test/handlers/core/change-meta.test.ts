import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/app-error.ts';
import { changeMeta } from '../../../src/handlers/core/change-meta.ts';
import type { ResolvedRoles } from '../../../src/permissions/role-resolver.ts';

const operator = { user: 'eafix:operator', groups: ['eafix-operators'] };
const commander = { user: 'eafix:incident-commander', groups: [] };
const origin = { requestedBy: 'UBOB', requestId: 'req_1', approvalId: 'apr_1' };

/** changeMeta's view of the deps: the policy's mapping and the requester's roles as Slack tells them. */
function deps(resolved: ResolvedRoles) {
  return {
    impersonation: { operator, 'incident-commander': commander },
    authorizer: { roles: { rolesOf: () => Promise.resolve(resolved) } },
  } as unknown as Parameters<typeof changeMeta>[0];
}

describe('changeMeta with impersonation', () => {
  it("acts as the identity of the requester's first role in the policy's order", async () => {
    const meta = await changeMeta(
      deps({ roles: ['incident-commander', 'operator', 'viewer'], complete: true }),
      origin,
      'why',
    );
    expect(meta).toMatchObject({ requestedBy: 'UBOB', reason: 'why', approvalId: 'apr_1', impersonate: operator });
  });

  it("writes as the bot's own account for a requester whose roles map to no identity", async () => {
    const meta = await changeMeta(deps({ roles: ['viewer'], complete: true }), origin, 'why');
    expect(meta.impersonate).toBeUndefined();
  });

  it('writes nothing when Slack cannot say which roles the requester holds', async () => {
    const failure = await changeMeta(deps({ roles: ['viewer'], complete: false }), origin, 'why').catch(
      (e: unknown) => e,
    );
    expect(isAppError(failure) && failure.kind).toBe('upstream');
    expect(isAppError(failure) && failure.userMessage).toContain('nothing was changed');
  });

  it('keeps an identity it could resolve while another user group did not answer', async () => {
    const meta = await changeMeta(deps({ roles: ['operator', 'viewer'], complete: false }), origin, 'why');
    expect(meta.impersonate).toEqual(operator);
  });
});
