import type { Topology } from '../../config/topology.ts';
import { inputBlock, option, stateReader, type StateValues } from '../core/modal-blocks.ts';
import { context, section, type Block } from '../core/reply.ts';
import { missingPrerequisites, PREREQUISITES } from './deploy-input.ts';

export const DEPLOY_MODAL_ID = 'deploy:form';

/** What the form is prefilled with: the typed command's values, or nothing (App Home). */
export interface DeployFormValues {
  version?: string | undefined;
  environment?: string | undefined;
  migrate?: boolean | undefined;
  reason?: string | undefined;
}

const MIGRATE = 'migrate';

/**
 * The deploy form: the runbook's Prerequisites Checklist as checkboxes (none ticked: each is a claim the
 * requester makes), and the version, environment, --migrate and reason, prefilled from the command.
 */
export function deployModal(values: DeployFormValues, topology: Topology, originChannel: string): Block {
  const environments = Object.keys(topology.environments);
  const environment =
    values.environment && environments.includes(values.environment) ? values.environment : 'production';
  const migrateOption = option(MIGRATE, 'Run the database migrations (maintenance on, trading stopped gracefully)');
  const blocks: Block[] = [
    section(
      "The runbook's *Production Deployment Process*: the new version goes to the idle colour, traffic moves once it is ready and smoke-tested, then five minutes of KPIs. Production needs a second person's approval of the plan.",
    ),
    inputBlock('version', 'Version (image tag)', {
      type: 'plain_text_input',
      max_length: 128,
      placeholder: { type: 'plain_text', text: '2.5.0' },
      ...(values.version ? { initial_value: values.version } : {}),
    }),
    inputBlock('environment', 'Environment', {
      type: 'static_select',
      initial_option: option(environment),
      options: environments.map((e) => option(e)),
    }),
    inputBlock(
      'migrate',
      'Database migrations',
      { type: 'checkboxes', options: [migrateOption], ...(values.migrate ? { initial_options: [migrateOption] } : {}) },
      true,
    ),
    inputBlock(
      'checklist',
      'Prerequisites Checklist',
      {
        type: 'checkboxes',
        options: Object.entries(PREREQUISITES).map(([key, text]) => option(key, text)),
      },
      false,
      'Tick each item once it holds; every one is needed, and the ticked list is recorded with the request.',
    ),
    inputBlock('reason', 'Reason', {
      type: 'plain_text_input',
      max_length: 500,
      placeholder: { type: 'plain_text', text: 'release 2.5' },
      ...(values.reason ? { initial_value: values.reason } : {}),
    }),
    context('Scriptable: `/eafix deploy <version> --checklist=all --reason …` records the same checklist.'),
  ];
  return {
    type: 'modal',
    callback_id: DEPLOY_MODAL_ID,
    private_metadata: originChannel,
    title: { type: 'plain_text', text: 'Deploy a version' },
    submit: { type: 'plain_text', text: 'Request deploy' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** The form's state as the `deploy` action's input (validated by the action's schema). */
export function readDeployModal(values: StateValues): Record<string, unknown> {
  const field = stateReader(values);
  return {
    version: field.text('version'),
    environment: field.selected('environment') ?? 'production',
    migrate: field.selectedAll('migrate').includes(MIGRATE),
    checklist: field.selectedAll('checklist'),
    reason: field.text('reason'),
  };
}

/**
 * What the action's schema cannot know, as errors on the form's fields: an environment the topology does
 * not have, and the prerequisites left unticked (each named).
 */
export function deployFormErrors(raw: Record<string, unknown>, topology: Topology): Record<string, string> {
  const errors: Record<string, string> = {};
  const environments = Object.keys(topology.environments);
  if (typeof raw.environment === 'string' && !environments.includes(raw.environment))
    errors.environment = `There is no environment ${raw.environment}; choose ${environments.join(', ')}.`;
  const missing = missingPrerequisites(Array.isArray(raw.checklist) ? (raw.checklist as string[]) : []);
  if (missing.length > 0)
    errors.checklist = `Every item must hold before a deploy. Not confirmed: ${missing.map((m) => PREREQUISITES[m]).join('; ')}.`;
  return errors;
}
