/**
 * Everything the sandbox takes from the bot, in one place: the sandbox starts the real bot wired to its
 * emulators, so it depends on the bot; the bot never imports the sandbox (a lint rule and a test say so).
 */
import { fileURLToPath } from 'node:url';

export { parseEnv, type Env } from '../../../src/config/env.ts';
export { loadPolicy, type Policy } from '../../../src/config/policy.ts';
export { runbookKpis, type KnownKpiId } from '../../../src/config/monitoring-policy.ts';
export { reportsPolicySchema } from '../../../src/config/reports-policy.ts';
export { fillQuery, latencyQuantiles } from '../../../src/handlers/monitoring/review-data.ts';
export { k8sName, topologySchema, type Colour, type Topology } from '../../../src/config/topology.ts';
export { latencyQueries } from '../../../src/handlers/troubleshooting/latency-checks.ts';
export { serviceResourceQueries } from '../../../src/handlers/troubleshooting/service-checks.ts';
export { tokenize } from '../../../src/handlers/core/command-parser.ts';
export { DigestScheduler } from '../../../src/jobs/digest-scheduler.ts';
export { createLogger, type Logger } from '../../../src/logger.ts';
export { deleteKeysWithPrefix } from '../../../src/redis/redis-connection.ts';
export { startBot, type RunningBot, type Role } from '../../../src/start-bot.ts';
export type { JobSettings } from '../../../src/start-jobs.ts';

/** The bot's checkout: its example policy and Slack app manifest are the sandbox's. */
export const botRoot = fileURLToPath(new URL('../../../', import.meta.url));
