/**
 * The deploy form: the command's values prefill it, its checkboxes are the runbook's Prerequisites
 * Checklist, and what it submits is read with the deploy action's own schema; missing items and bad
 * fields become errors on the form's fields. `--checklist=all` records the same confirmed list.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/config/policy.ts';
import type { Topology } from '../../../src/config/topology.ts';
import { allActions } from '../../../src/handlers/actions.ts';
import type { ActionContext, ActionDeps } from '../../../src/handlers/core/define-action.ts';
import type { Block } from '../../../src/handlers/core/reply.ts';
import { formErrors, parseCommand } from '../../../src/handlers/core/parse-command.ts';
import { ActionRegistry } from '../../../src/handlers/core/registry.ts';
import { deploy } from '../../../src/handlers/deployment/deploy.ts';
import { PREREQUISITES } from '../../../src/handlers/deployment/deploy-input.ts';
import { deployFormErrors, deployModal, readDeployModal } from '../../../src/handlers/deployment/deploy-modal.ts';

const ALL = Object.keys(PREREQUISITES);
let topology: Topology;
const registry = new ActionRegistry(allActions);
beforeAll(async () => {
  topology = (await loadPolicy('config/eafix-policy.example.yml')).topology;
});

const typed = (text: string) => parseCommand(text, registry).input;
const element = (view: Block, blockId: string) =>
  ((view.blocks as Block[]).find((b) => b.block_id === blockId)?.element ?? {}) as Record<string, unknown>;
/** The state Slack submits: each field as given, as Slack nests it (action id = block id). */
const submitted = (fields: {
  version?: string;
  environment?: string;
  migrate?: boolean;
  checklist?: string[];
  reason?: string;
}) => ({
  version: { version: { value: fields.version ?? null } },
  environment: { environment: { selected_option: fields.environment ? { value: fields.environment } : null } },
  migrate: { migrate: { selected_options: fields.migrate ? [{ value: 'migrate' }] : [] } },
  checklist: { checklist: { selected_options: (fields.checklist ?? []).map((value) => ({ value })) } },
  reason: { reason: { value: fields.reason ?? null } },
});

describe('the deploy checklist', () => {
  it('is left for the form when the command does not give it, and recorded in full from --checklist=all', () => {
    expect(typed('deploy 2.5.0 --migrate --reason "release 2.5"').checklist).toBeUndefined();
    expect(typed('deploy 2.5.0 --checklist=all --reason "release 2.5"').checklist).toEqual(ALL);
    // A partial list is kept as given (in the runbook's order); the plan refuses it, naming what is missing.
    expect(typed('deploy 2.5.0 --checklist=scans,ci --reason "release 2.5"').checklist).toEqual(['ci', 'scans']);
    expect(() => typed('deploy 2.5.0 --checklist=ci,bogus --reason "release 2.5"')).toThrow(/unknown item\(s\) bogus/);
  });

  it('re-reads its own recorded value unchanged (the worker re-parses the stored input)', () => {
    const recorded = typed('deploy 2.5.0 --checklist=all --reason "release 2.5"');
    expect(deploy.input.parse(JSON.parse(JSON.stringify(recorded)))).toEqual(recorded);
  });
});

describe('the deploy form', () => {
  it('is prefilled from the command, with every prerequisite to tick and none ticked', () => {
    const view = deployModal(
      { version: '2.5.0', environment: 'staging', migrate: true, reason: 'release 2.5' },
      topology,
      'C1',
    );
    expect(view).toMatchObject({ type: 'modal', callback_id: 'deploy:form', private_metadata: 'C1' });
    expect(element(view, 'version').initial_value).toBe('2.5.0');
    expect(element(view, 'environment').initial_option).toMatchObject({ value: 'staging' });
    expect(element(view, 'migrate').initial_options).toEqual([expect.objectContaining({ value: 'migrate' })]);
    expect(element(view, 'reason').initial_value).toBe('release 2.5');
    const checklist = element(view, 'checklist');
    expect(checklist.type).toBe('checkboxes');
    expect((checklist.options as Array<{ value: string }>).map((o) => o.value)).toEqual(ALL);
    expect(checklist.initial_options).toBeUndefined();
  });

  it('opens blank (production, nothing ticked) when nothing is given', () => {
    const view = deployModal({}, topology, 'C1');
    expect(element(view, 'version').initial_value).toBeUndefined();
    expect(element(view, 'environment').initial_option).toMatchObject({ value: 'production' });
    expect(element(view, 'migrate').initial_options).toBeUndefined();
  });

  it('submits the action input the command would have given, every item confirmed', () => {
    const raw = readDeployModal(
      submitted({ version: '2.5.0', environment: 'production', migrate: true, checklist: ALL, reason: 'release 2.5' }),
    );
    expect(formErrors(deploy, raw)).toEqual({});
    expect(deployFormErrors(raw, topology)).toEqual({});
    expect(deploy.input.parse(raw)).toEqual(typed('deploy 2.5.0 --migrate --checklist=all --reason "release 2.5"'));
  });

  it('names the prerequisites left unticked, and every one when none is', () => {
    const some = readDeployModal(submitted({ version: '2.5.0', checklist: ['ci', 'scans'], reason: 'release 2.5' }));
    const error = deployFormErrors(some, topology).checklist;
    expect(error).toContain('Not confirmed: Database migrations tested in staging; Rollback plan documented;');
    expect(error).toContain('Support team on standby');
    expect(error).not.toContain(PREREQUISITES.ci);
    const none = deployFormErrors(readDeployModal(submitted({ version: '2.5.0', reason: 'release 2.5' })), topology);
    for (const text of Object.values(PREREQUISITES)) expect(none.checklist).toContain(text);
  });

  it('puts a bad version, an unknown environment and a missing reason on their fields', () => {
    const raw = readDeployModal(submitted({ version: '2.5 beta!', environment: 'mars', checklist: ALL, reason: '' }));
    expect(formErrors(deploy, raw)).toMatchObject({
      version: 'must be an image tag such as 2.5.0',
      reason: 'give a reason of at least 5 characters',
    });
    expect(deployFormErrors(raw, topology)).toEqual({
      environment: 'There is no environment mars; choose production, staging, dr.',
    });
  });
});

describe('/eafix deploy without --checklist', () => {
  const opened: Array<{ triggerId: string; view: Block }> = [];
  const ctx = (triggerId?: string): ActionContext => ({
    requestId: 'req_1',
    invoker: { userId: 'U1', teamId: 'T1', channelId: 'C1', ...(triggerId ? { triggerId } : {}) },
    logger: undefined as never,
    deps: {
      topology,
      notifier: { openModal: async (id: string, view: Block) => void opened.push({ triggerId: id, view }) },
    } as unknown as ActionDeps,
  });

  it('opens the form, prefilled, instead of planning', async () => {
    const reply = await deploy.form!(typed('deploy 2.5.0 --migrate --reason "release 2.5"') as never, ctx('trig_1'));
    expect(reply?.text).toContain('Opening the deploy form');
    expect(opened.at(-1)?.triggerId).toBe('trig_1');
    expect(element(opened.at(-1)!.view, 'version').initial_value).toBe('2.5.0');
  });

  it('plans as given when the checklist is typed, or when no form can be opened (then the plan refuses)', async () => {
    const before = opened.length;
    expect(
      await deploy.form!(typed('deploy 2.5.0 --checklist=all --reason "release 2.5"') as never, ctx('trig_2')),
    ).toBeUndefined();
    expect(await deploy.form!(typed('deploy 2.5.0 --reason "release 2.5"') as never, ctx())).toBeUndefined();
    expect(opened).toHaveLength(before);
    await expect(deploy.plan(typed('deploy 2.5.0 --reason "release 2.5"') as never, ctx())).rejects.toThrow(
      /Not confirmed: ci \(All CI\/CD pipeline tests passed\)/,
    );
  });
});
