import type { Channels } from '../../config/policy.ts';
import type { IncidentPolicy } from '../../config/incident-policy.ts';
import type { Logger } from '../../logger.ts';
import type { SlackDirectory } from '../../permissions/directory.ts';
import type { Notifier } from '../core/notifier.ts';
import type { IncidentStore, IncidentTimers, Pager } from './incident-types.ts';

/** Who declared the incident, under which request: the set-up run's origin. */
export interface SetupOrigin {
  requestedBy: string;
  requestId: string;
  teamId: string;
}

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
  /** Starts the war room's set-up as a resumable run (`incident setup`); the same origin starts it once. */
  startSetup: (incidentId: string, origin: SetupOrigin) => Promise<{ runId: string }>;
  logger: Logger;
  now: () => Date;
}
