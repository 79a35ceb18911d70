import { remedyReason, verdictOf, type DiagnosisCheck, type Remedy } from './diagnosis.ts';
import { listOf, platformCheck, restartRemedy, type EnvironmentInput } from './platform-check.ts';

const PLAYBOOK = 'diagnose orders';

const remedy = (label: string, command: string, environment: string, why: string): Remedy => ({
  label,
  command: `${command} --environment=${environment} --reason ${remedyReason(PLAYBOOK, why)}`,
});
// trading_system_failure pages at more than 5 failed orders in 5 minutes.
const FAILED_WARN = 0;
const FAILED_FAIL = 5;

const reconnect = (broker: string, environment: string) =>
  remedy(`Reconnect ${broker}`, `broker reconnect --broker=${broker}`, environment, `broker ${broker} down or slow`);

const brokers = platformCheck<EnvironmentInput>({
  name: 'Broker connectivity',
  step: 'diagnose-broker-status',
  args: () => ['broker', 'status', '--all'],
  judge: (result, _outcome, input) => {
    const list = listOf(result.brokers);
    const down = list.filter((b) => b.connected !== true).map((b) => String(b.name));
    const slow = list.filter((b) => Number(b.latencyMs) > 200).map((b) => String(b.name));
    const evidence = list
      .map(
        (b) => `${String(b.name)} ${b.connected === true ? `connected (${String(b.latencyMs)} ms)` : 'DISCONNECTED'}`,
      )
      .join(', ');
    if (list.length === 0 || down.length === list.length)
      return {
        verdict: 'fail',
        evidence: evidence || 'no brokers reported',
        remedies: [reconnect(down[0] ?? 'mt4_live', input.environment)],
      };
    if (down.length > 0 || slow.length > 0)
      return { verdict: 'warn', evidence, remedies: [reconnect(down[0] ?? slow[0] ?? 'mt4_live', input.environment)] };
    return { verdict: 'ok', evidence };
  },
});

const risk = platformCheck<EnvironmentInput>({
  name: 'Risk manager',
  step: 'diagnose-risk-status',
  args: () => ['risk', 'status'],
  judge: (result, _outcome, input) => {
    const used = Number(result.limitsUsedPercent ?? 0);
    const evidence = `${result.healthy === true ? 'healthy' : 'UNHEALTHY'}, limits ${used}% used${result.blocking === true ? ', BLOCKING orders' : ''}`;
    if (result.healthy !== true || result.blocking === true)
      return {
        verdict: 'fail',
        evidence,
        remedies: [remedy('Reset risk limits', 'risk limits reset', input.environment, 'risk manager blocking')],
      };
    return { verdict: used > 80 ? 'warn' : 'ok', evidence };
  },
});

const failedOrders = platformCheck<EnvironmentInput>({
  name: 'Recent failed orders',
  step: 'diagnose-failed-orders',
  args: () => ['orders', 'list', '--status=failed', '--limit=20'],
  judge: (result, _outcome, input) => {
    const orders = listOf(result.orders);
    const count = Number(result.count ?? orders.length);
    const reasons = [...new Set(orders.map((o) => String(o.reason ?? 'unknown')))].slice(0, 3);
    const verdict = verdictOf(count, FAILED_WARN, FAILED_FAIL);
    const evidence = `${count} failed order(s) in the last 20${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
    if (verdict === 'ok') return { verdict, evidence };
    const cleanup = remedy('Clear stuck orders', 'orders cleanup', input.environment, `${count} failed orders`);
    const restart = restartRemedy('execution-engine', input.environment, PLAYBOOK, `${count} failed orders`);
    return { verdict, evidence, remedies: verdict === 'fail' ? [cleanup, restart] : [cleanup] };
  },
});

const balances = platformCheck<EnvironmentInput>({
  name: 'Account balances',
  step: 'diagnose-account-balance',
  args: () => ['account', 'balance', '--all'],
  judge: (result) => {
    const accounts = listOf(result.accounts);
    if (accounts.length === 0) return { verdict: 'warn', evidence: 'no accounts reported' };
    const lowest = Math.min(...accounts.map((a) => Number(a.marginLevelPercent ?? Infinity)));
    const evidence = accounts.map((a) => `${String(a.name)} margin level ${String(a.marginLevelPercent)}%`).join(', ');
    // A margin level under 100% means new orders are refused; under 200% is close to it.
    return { verdict: lowest < 100 ? 'fail' : lowest < 200 ? 'warn' : 'ok', evidence };
  },
});

/** The runbook's Trading Orders Failing diagnosis steps, in its order. */
export const ordersChecks: readonly DiagnosisCheck<EnvironmentInput>[] = [brokers, risk, failedOrders, balances];
