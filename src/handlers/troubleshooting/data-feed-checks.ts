import { remedyReason, type DiagnosisCheck, type Remedy } from './diagnosis.ts';
import { logErrors } from './service-checks.ts';
import { listOf, platformCheck, restartRemedy, type EnvironmentInput } from './platform-check.ts';

const PLAYBOOK = 'diagnose data-feed';
// data_feed_failure pages when market data is over a minute old; the runbook's feed latency warns at 50 ms.
const TICK_WARN_SECONDS = 10;
const TICK_FAIL_SECONDS = 60;

const remedy = (label: string, command: string, environment: string, why: string): Remedy => ({
  label,
  command: `${command} --environment=${environment} --reason ${remedyReason(PLAYBOOK, why)}`,
});
const restartFeed = (environment: string, why: string) =>
  remedy('Restart the primary feed', 'data-feed restart --provider=primary', environment, why);

const feedStatus = platformCheck<EnvironmentInput>({
  name: 'Feed status',
  step: 'diagnose-feed-status',
  args: () => ['data-feed', 'status'],
  judge: (result, _outcome, input) => {
    const providers = listOf(result.providers);
    const up = (name: string) => providers.find((p) => p.name === name)?.connected === true;
    const evidence = providers
      .map((p) => `${String(p.name)} ${p.connected === true ? 'connected' : 'DISCONNECTED'}`)
      .join(', ');
    if (!up('primary') && !up('backup'))
      return {
        verdict: 'fail',
        evidence: evidence || 'no providers reported',
        remedies: [restartFeed(input.environment, 'no provider connected')],
      };
    if (!up('primary'))
      return {
        verdict: 'warn',
        evidence,
        remedies: [
          remedy('Switch to the backup feed', 'data-feed switch --to=backup', input.environment, 'primary down'),
          restartFeed(input.environment, 'primary down'),
        ],
      };
    return { verdict: 'ok', evidence };
  },
});

const latestTick = platformCheck<EnvironmentInput>({
  name: 'Latest tick (EURUSD)',
  step: 'diagnose-latest-tick',
  args: () => ['data', 'latest', '--symbol=EURUSD'],
  judge: (result, _outcome, input) => {
    const age = Number(result.ageSeconds);
    if (!Number.isFinite(age)) return { verdict: 'fail', evidence: 'no tick reported' };
    const evidence = `${age.toFixed(1)} s old (stale over ${TICK_WARN_SECONDS} s, failed over ${TICK_FAIL_SECONDS} s)`;
    if (age > TICK_FAIL_SECONDS)
      return {
        verdict: 'fail',
        evidence,
        remedies: [
          remedy(
            'Clear the market_data_* cache',
            'cache clear --pattern=market_data_*',
            input.environment,
            'stale ticks',
          ),
        ],
      };
    return { verdict: age > TICK_WARN_SECONDS ? 'warn' : 'ok', evidence };
  },
});

const providerTest = platformCheck<EnvironmentInput>({
  name: 'Provider connection test',
  step: 'diagnose-feed-test',
  args: () => ['data-feed', 'test', '--provider=all'],
  judge: (result, _outcome, input) => {
    const failed = Array.isArray(result.failed) ? result.failed.map(String) : [];
    if (result.ok === true && failed.length === 0) return { verdict: 'ok', evidence: 'every provider answers' };
    return {
      verdict: result.ok === true ? 'warn' : 'fail',
      evidence: `failing: ${failed.join(', ') || 'all'}`,
      remedies: [restartFeed(input.environment, `providers failing: ${failed.join(' ') || 'all'}`)],
    };
  },
});

const ingestorLogs: DiagnosisCheck<EnvironmentInput> = {
  name: 'Ingestor logs (10 min)',
  run: async (input, ctx) => {
    const logs = await ctx.deps.cluster.podLogs(input.environment, 'data-ingestor', {
      sinceSeconds: 600,
      maxBytes: 256 * 1024,
    });
    const { pods, podsWithErrors, errors } = logErrors(logs.text);
    const verdict = podsWithErrors === 0 ? 'ok' : podsWithErrors >= pods ? 'fail' : 'warn';
    const shown = errors.slice(-2).map((l) => `\`${l.slice(0, 160).replace(/`/g, "'")}\``);
    const evidence = `${errors.length} error line(s) in ${podsWithErrors} of ${pods} pod(s)${shown.length ? `: ${shown.join(' ')}` : ''}`;
    if (verdict === 'ok') return { verdict, evidence };
    return {
      verdict,
      evidence,
      remedies: [restartRemedy('data-ingestor', input.environment, PLAYBOOK, `${errors.length} errors in its logs`)],
    };
  },
};

/** The runbook's Data Feed Interruption diagnosis steps, in its order. */
export const dataFeedChecks: readonly DiagnosisCheck<EnvironmentInput>[] = [
  feedStatus,
  latestTick,
  providerTest,
  ingestorLogs,
];
