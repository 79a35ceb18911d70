/**
 * The runbook's Standard Configuration Change Process commands in the simulated toolbox image:
 * `eafix-cli config validate`, `eafix-cli test config --namespace=…` and `eafix-cli config verify
 * --service=…`. They pass by default; a test injects a failure by registering the same argv prefix
 * with a non-zero exit code (`times: 1` for one failure).
 */
import type { CommandBehaviour } from './command-behaviours.ts';

function flag(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((w) => w.startsWith(prefix))?.slice(prefix.length);
}

const json = (value: unknown) => JSON.stringify(value);

export const CONFIG_CLI_RULES: readonly [argv: string[], behaviour: CommandBehaviour][] = [
  [
    ['eafix-cli', 'config', 'validate'],
    (inv) => {
      const service = flag(inv.argv, 'service') ?? 'unknown';
      const source = flag(inv.argv, 'configmap') ?? flag(inv.argv, 'file') ?? 'unknown';
      return {
        stdout: [
          `validating ${source} for ${service}`,
          'schema ok',
          'limits within bounds',
          json({ ok: true, service, source }),
        ],
        durationMs: 400,
      };
    },
  ],
  [
    ['eafix-cli', 'test', 'config'],
    (inv) => {
      const namespace = flag(inv.argv, 'namespace') ?? inv.namespace;
      return {
        stdout: [
          `running configuration tests in ${namespace}`,
          '9 passed, 0 failed',
          json({ suite: 'config', namespace, passed: 9, failed: 0 }),
        ],
        durationMs: 900,
      };
    },
  ],
  [
    ['eafix-cli', 'config', 'verify'],
    (inv) => {
      const service = flag(inv.argv, 'service') ?? 'unknown';
      return {
        stdout: [`${service}: running configuration matches the ConfigMap`, json({ ok: true, service })],
        durationMs: 400,
      };
    },
  ],
];
