import type { Logger } from '../logger.ts';
import type { Pool } from '../store/database.ts';
import type { AuditLog } from '../store/pg-audit-log.ts';
import { PgDeliveryLedger } from '../store/pg-delivery-ledger.ts';
import type { Redis } from '../redis/redis-connection.ts';
import { RedisDeliveryLedger } from '../redis/delivery-ledger.ts';
import type { Policy } from '../config/policy.ts';
import { InboundGate } from './inbound-gate.ts';
import { learnInstallation, type AuthTester } from './installation.ts';
import { ReplayGuard } from './replay-guard.ts';
import { MAX_SKEW_SECONDS } from './verify-signature.ts';

/** Delivery keys outlive both sides of the signature window (past and future skew) with margin. */
const DELIVERY_TTL_SECONDS = 4 * MAX_SKEW_SECONDS;

export interface GateOptions {
  slack: AuthTester;
  policy: Policy['slack'];
  pool: Pool;
  redis: Redis;
  redisPrefix: string;
  audit: AuditLog;
  logger: Logger;
}

/** Learns who we are in Slack (auth.test) and builds the gate every request passes before routing. */
export async function createInboundGate(options: GateOptions): Promise<InboundGate> {
  const learned = await learnInstallation(options.slack);
  const identity = { ...learned, ...(learned.appId || !options.policy.appId ? {} : { appId: options.policy.appId }) };
  const { scopes: _scopes, ...shown } = identity;
  options.logger.info({ installation: shown, allowedTeams: options.policy.allowedTeams }, 'slack installation');
  if (!identity.appId) options.logger.warn('auth.test reported no app id and the policy sets none (slack.appId): api_app_id is not checked');
  const replay = new ReplayGuard(
    new RedisDeliveryLedger(options.redis, options.redisPrefix, DELIVERY_TTL_SECONDS),
    new PgDeliveryLedger(options.pool, DELIVERY_TTL_SECONDS),
    options.logger,
    DELIVERY_TTL_SECONDS * 1000,
  );
  return new InboundGate({ identity, allowedTeams: options.policy.allowedTeams }, replay, options.audit);
}
