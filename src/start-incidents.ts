import type { Env } from './config/env.ts';
import type { Policy } from './config/policy.ts';
import type { Logger } from './logger.ts';
import type { Pool } from './store/database.ts';
import type { Redis } from './redis/redis-connection.ts';
import type { ActionRegistry } from './handlers/core/registry.ts';
import type { Notifier } from './handlers/core/notifier.ts';
import type { SlackDirectory } from './permissions/directory.ts';
import { tokenize } from './handlers/core/command-parser.ts';
import { IncidentService } from './handlers/incidents/incident-service.ts';
import { incidentSetup } from './handlers/incidents/incident-setup.ts';
import { runKindOf } from './handlers/core/start-run.ts';
import type { Runs } from './handlers/core/runs.ts';
import { IncidentTimerQueue, IncidentTimerWorker } from './jobs/incident-timers.ts';
import { EventsApiPager } from './pagerduty/events-api-pager.ts';
import { PgIncidentStore } from './store/pg-incident-store.ts';
import type { ReconcilePass } from './jobs/reconciler.ts';
import type { Role } from './process-role.ts';

/** The incident service (every role) and the incident timer worker (worker and all roles). */
export async function startIncidents(options: {
  role: Role;
  env: Env;
  policy: Policy;
  pool: Pool;
  redis: Redis;
  registry: ActionRegistry;
  notifier: Notifier;
  runs: Runs;
  directory: SlackDirectory;
  logger: Logger;
  now: () => Date;
}): Promise<{
  service: IncidentService;
  start: () => Promise<void>;
  passes: ReconcilePass[];
  stop: () => Promise<void>;
}> {
  const { env, policy, registry, logger } = options;
  const knowsCommand = (command: string) => {
    try {
      return Boolean(registry.resolve(tokenize(command)));
    } catch {
      return false;
    }
  };
  const unknown = policy.incidents.containmentActions.filter(
    (a) => !knowsCommand(a.command.replaceAll('{system}', 'x').replaceAll('{incident}', 'x')),
  );
  if (unknown.length)
    logger.warn(
      { commands: unknown.map((a) => a.command) },
      'containment actions name no known action; their buttons are not shown',
    );

  const timers = new IncidentTimerQueue({ connection: options.redis, prefix: env.REDIS_PREFIX, logger });
  const service = new IncidentService({
    store: new PgIncidentStore(options.pool, logger),
    notifier: options.notifier,
    directory: options.directory,
    timers,
    // The routing key is a secret: the environment wins over the policy file.
    pager: new EventsApiPager(
      {
        url: policy.incidents.pagerduty.url,
        routingKey: env.PAGERDUTY_ROUTING_KEY ?? policy.incidents.pagerduty.routingKey,
      },
      logger,
    ),
    policy: policy.incidents,
    channels: policy.channels,
    systems: policy.topology.services.map((s) => s.name),
    knowsCommand,
    // No progress thread: the war room announces itself; `/eafix runs` shows the run's steps.
    startSetup: (incidentId, origin) =>
      options.runs.start(runKindOf(incidentSetup), {
        input: { id: incidentId },
        ...origin,
        action: incidentSetup.id,
        idempotencyKey: `incident-setup:${incidentId}:${origin.requestId}`,
      }),
    logger: logger.child({ component: 'incidents' }),
    now: options.now,
  });
  const worker =
    options.role === 'worker' || options.role === 'all'
      ? new IncidentTimerWorker({
          connection: options.redis,
          prefix: env.REDIS_PREFIX,
          logger,
          handle: (job) => service.onTimer(job),
        })
      : undefined;
  const rebuild = { name: 'incident timers', run: () => service.rebuildTimers() };
  return {
    service,
    // Timers live in Redis but are derived from PostgreSQL: rebuilt whenever a worker starts.
    start: async () => {
      if (!worker) return;
      await worker.start();
      await rebuild.run();
    },
    passes: worker ? [rebuild] : [],
    stop: async () => {
      await worker?.close();
      await timers.close();
    },
  };
}
