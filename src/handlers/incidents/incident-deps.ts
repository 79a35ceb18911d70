import type { Channels } from '../../config/policy.ts';
import type { IncidentPolicy } from '../../config/incident-policy.ts';
import type { Logger } from '../../logger.ts';
import type { SlackDirectory } from '../../permissions/directory.ts';
import type { Notifier } from '../core/notifier.ts';
import type { IncidentStore, IncidentTimers, Pager } from './incident-types.ts';

/** What the incident service needs, wired by hand in start-bot.ts. */
export interface IncidentDeps {
  store: IncidentStore;
  notifier: Notifier;
  /** Resolves response-team user groups (usergroups.users.list). */
  directory: SlackDirectory;
  timers: IncidentTimers;
  pager: Pager;
  policy: IncidentPolicy;
  channels: Channels;
  /** Topology service names, offered as affected systems in the modal. */
  systems: readonly string[];
  /** True when a command (`trading stop`, `scale`) names an action the bot serves. */
  knowsCommand: (command: string) => boolean;
  logger: Logger;
  now: () => Date;
}
