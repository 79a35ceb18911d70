import { z } from 'zod';
import { defineAction } from '../core/define-action.ts';
import { gatherHome } from './app-home.ts';
import { appHomeView } from './app-home-view.ts';

/** A message holds at most 50 blocks (a home tab 100): `/eafix home` typed in a channel gets the first 50. */
const MESSAGE_BLOCKS = 50;

/** The App Home as an action: status at a glance, your approvals, your runs, open incidents. */
export const home = defineAction({
  id: 'home',
  kind: 'query',
  chapter: 'Monitoring',
  summary:
    'Status at a glance, the approvals you may decide (with buttons), your recent runs and open incidents (the App Home)',
  input: z.object({}),
  risk: 'read',
  permission: 'monitoring.read',
  examples: ['home'],
  run: async (_input, { deps, invoker, logger }) => {
    const view = appHomeView(await gatherHome(deps, invoker.userId, invoker.teamId, logger));
    const blocks = invoker.channelId ? view.blocks.slice(0, MESSAGE_BLOCKS) : view.blocks;
    return { text: 'EAFIX at a glance', blocks };
  },
});
