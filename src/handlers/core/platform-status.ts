/**
 * The platform's own trading and maintenance state — never the bot's bookkeeping. Two sources: its
 * metrics (`eafix_trading_enabled`, cheap, for status, App Home, digests and plans) and its own
 * `eafix-cli status` answer run as a Job (authoritative, for `trading status` and a run's confirmation).
 */
import { AppError } from '../../app-error.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import type { ActionDeps } from './action-deps.ts';
import { fillQuery } from '../monitoring/kpi-readings.ts';
import { runPlatformCommand, type PlatformCommandContext } from './platform-command.ts';

export type Switch = 'on' | 'off' | 'unknown';

export interface PlatformStatus {
  trading: Switch;
  maintenance: Switch;
  maintenanceMessage?: string | undefined;
  database?: string | undefined;
  site?: string | undefined;
  /** Where the answer came from, shown beside it. */
  source: string;
  /** Why a value is unknown. */
  reason?: string | undefined;
}

const switchOf = (value: number | undefined): Switch => (value === undefined ? 'unknown' : value > 0 ? 'on' : 'off');

/** From Prometheus: no data or no Prometheus is `unknown` with the reason, never a guess. */
export async function platformStatusFromMetrics(
  deps: Pick<ActionDeps, 'monitoring' | 'platformMetrics' | 'topology'>,
  environment: string,
): Promise<PlatformStatus> {
  const prometheus = deps.monitoring.prometheus;
  if (!prometheus)
    return { trading: 'unknown', maintenance: 'unknown', source: 'metrics', reason: 'Prometheus is not configured' };
  const vars = { environment, namespace: namespaceFor(deps.topology, environment) };
  const read = async (query: string) => {
    try {
      return { value: await prometheus.instant(fillQuery(query, vars)) };
    } catch (error) {
      return { error: error instanceof AppError ? error.userMessage : 'the query failed' };
    }
  };
  const [trading, maintenance] = await Promise.all([
    read(deps.platformMetrics.tradingEnabled),
    read(deps.platformMetrics.maintenanceMode),
  ]);
  const status: PlatformStatus = {
    trading: switchOf(trading.value),
    maintenance: switchOf(maintenance.value),
    source: 'metrics',
  };
  const problem = trading.error ?? maintenance.error;
  if (problem) return { ...status, reason: problem };
  if (status.trading === 'unknown' || status.maintenance === 'unknown') return { ...status, reason: 'no data' };
  return status;
}

/** The platform's `eafix-cli status` answer, run as a Job; its structured result is the truth. */
export async function platformStatusFromCli(
  ctx: PlatformCommandContext,
  environment: string,
  step: string,
): Promise<PlatformStatus> {
  const outcome = await runPlatformCommand(ctx, {
    environment,
    step,
    args: ['status'],
    reason: 'read platform status',
  });
  const result = outcome.result ?? {};
  const trading = result.trading === 'enabled' ? 'on' : result.trading === 'stopped' ? 'off' : 'unknown';
  const maintenance = typeof result.maintenance === 'boolean' ? (result.maintenance ? 'on' : 'off') : 'unknown';
  return {
    trading,
    maintenance,
    ...(typeof result.maintenanceMessage === 'string' ? { maintenanceMessage: result.maintenanceMessage } : {}),
    ...(typeof result.database === 'string' ? { database: result.database } : {}),
    ...(typeof result.site === 'string' ? { site: result.site } : {}),
    source: '`eafix-cli status`',
    ...(trading === 'unknown' || maintenance === 'unknown'
      ? { reason: '`eafix-cli status` gave no structured answer' }
      : {}),
  };
}

export const tradingWord = (s: Switch): string => (s === 'on' ? 'running' : s === 'off' ? 'stopped' : 'unknown');
export const maintenanceWord = (s: Switch): string => (s === 'on' ? 'on' : s === 'off' ? 'off' : 'unknown');

/** One line for status, App Home and digests. */
export function platformLine(status: PlatformStatus): string {
  const message = status.maintenance === 'on' && status.maintenanceMessage ? ` ("${status.maintenanceMessage}")` : '';
  const why = status.reason ? ` — ${status.reason}` : '';
  return `*Trading:* ${tradingWord(status.trading)}   *Maintenance:* ${maintenanceWord(status.maintenance)}${message}   _(platform ${status.source}${why})_`;
}

/**
 * Trading and maintenance as App Home and digests show them; a state the platform's metrics do not give
 * is an error (shown as unavailable, with the reason), never a default.
 */
export async function platformSwitches(
  deps: Pick<ActionDeps, 'monitoring' | 'platformMetrics' | 'topology'>,
  environment: string,
): Promise<{ trading: 'running' | 'stopped'; maintenance: { enabled: boolean; message?: string } }> {
  const status = await platformStatusFromMetrics(deps, environment);
  if (status.trading === 'unknown' || status.maintenance === 'unknown')
    throw new AppError('platform_state_unknown', `The platform's metrics do not say (${status.reason ?? 'no data'}).`);
  return {
    trading: status.trading === 'on' ? 'running' : 'stopped',
    maintenance: { enabled: status.maintenance === 'on' },
  };
}
