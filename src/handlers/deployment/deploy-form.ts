import { z } from 'zod';
import { AppError } from '../../app-error.ts';
import { defineAction } from '../core/define-action.ts';
import { deployModal } from './deploy-modal.ts';

/**
 * The App Home's Deploy button: the same deploy form `/eafix deploy` opens, empty. Only someone who may
 * deploy (`deploy.run`) gets it; opening a form changes nothing, and its submission is the `deploy`
 * request, checked and audited in full on the one invocation path. Its outcome goes to the channel the
 * form names: the home has none, so the caller passes the ops channel.
 */
export const deployForm = defineAction({
  id: 'deploy-form',
  kind: 'query',
  chapter: 'Deployment',
  summary: 'Open the deploy form with the Prerequisites Checklist (the App Home’s Deploy button)',
  input: z.object({}),
  risk: 'read',
  permission: 'deploy.run',
  typed: false,
  examples: ['deploy-form'],
  run: async (_input, { deps, invoker }) => {
    if (!invoker.triggerId)
      throw new AppError('deploy_no_form', 'Slack gave no way to open the deploy form; press Deploy again.');
    await deps.notifier.openModal(invoker.triggerId, deployModal({}, deps.topology, invoker.channelId));
    // The form is the answer: nothing more to tell.
    return { text: '' };
  },
});
