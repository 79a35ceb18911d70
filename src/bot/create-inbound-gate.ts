import type { Logger } from '../logger.ts';
import type { Pool } from '../store/database.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { PgDeliveryLedger } from '../store/pg-delivery-ledger.ts';
import type { Redis } from '../redis/redis-connection.ts';
import { RedisDeliveryLedger } from '../redis/delivery-ledger.ts';
import type { Policy } from '../config/policy.ts';
import { InboundGate } from './inbound-gate.ts';
import type { InstallationIdentity } from './installation.ts';
import { ReplayGuard } from './replay-guard.ts';
import { MAX_SKEW_SECONDS } from './verify-signature.ts';

/** Delivery keys outlive both sides of the signature window (past and future skew) with margin. */
const DELIVERY_TTL_SECONDS = 4 * MAX_SKEW_SECONDS;

export interface GateOptions {
  /** Who we are in Slack, from auth.test; undefined while Slack has not answered it yet. */
  installation: () => InstallationIdentity | undefined;
  policy: Policy['slack'];
  pool: Pool;
  redis: Redis;
  redisPrefix: string;
  audit: AuditLog;
  logger: Logger;
}

/** Builds the gate every request passes before routing (shape, installation, replay, text). */
export function createInboundGate(options: GateOptions): InboundGate {
  let warnedNoAppId = false;
  const installation = () => {
    const learned = options.installation();
    if (!learned) return undefined;
    const identity = { ...learned, ...(learned.appId || !options.policy.appId ? {} : { appId: options.policy.appId }) };
    if (!identity.appId && !warnedNoAppId) {
      warnedNoAppId = true;
      options.logger.warn(
        'auth.test reported no app id and the policy sets none (slack.appId): api_app_id is not checked',
      );
    }
    return { identity, allowedTeams: options.policy.allowedTeams };
  };
  const replay = new ReplayGuard(
    new RedisDeliveryLedger(options.redis, options.redisPrefix, DELIVERY_TTL_SECONDS),
    new PgDeliveryLedger(options.pool, DELIVERY_TTL_SECONDS),
    options.logger,
    DELIVERY_TTL_SECONDS * 1000,
  );
  return new InboundGate(installation, replay, options.audit);
}
