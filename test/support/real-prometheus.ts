/**
 * Debian's real Prometheus and Alertmanager, started for one test: Prometheus scrapes the test's exporter
 * and evaluates the shipped alert rules every second; Alertmanager sends to the bot's /alertmanager with
 * the bearer token. The rules are the shipped file with short `for` and rate windows, so an alert fires
 * and resolves within seconds; everything else is as deployed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '@eafix/sandbox/free-port';
import { ensurePrometheusBinaries } from './prometheus-binaries.ts';
import { eventually } from './eventually.ts';

export interface PrometheusStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** What the processes wrote, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

interface StackOptions {
  rulesFile: string;
  exporterPort: number;
  webhookUrl: string;
  token: string;
}

type Rule = { for?: string; expr: string };

/** The shipped rules with `for` of at most 1 s and 5-minute rate windows of 10 s. */
async function fastRules(path: string): Promise<string> {
  const file = parse(await readFile(path, 'utf8')) as { groups: { rules: Rule[] }[] };
  for (const rule of file.groups.flatMap((g) => g.rules)) {
    if (rule.for) rule.for = '1s';
    rule.expr = rule.expr.replaceAll('[5m]', '[10s]');
  }
  return stringify(file);
}

export async function startPrometheusStack(options: StackOptions): Promise<PrometheusStack> {
  await ensurePrometheusBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'eafix-prometheus-'));
  const [promPort, amPort] = [await freePort(), await freePort()];
  await writeFile(join(dir, 'rules.yml'), await fastRules(options.rulesFile));
  await writeFile(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: [
        { job_name: 'eafix-services', static_configs: [{ targets: [`127.0.0.1:${options.exporterPort}`] }] },
      ],
    }),
  );
  await writeFile(
    join(dir, 'alertmanager.yml'),
    stringify({
      route: {
        receiver: 'eafix-chatops',
        group_by: ['alertname', 'namespace', 'service'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [
        {
          name: 'eafix-chatops',
          webhook_configs: [
            {
              url: options.webhookUrl,
              send_resolved: true,
              http_config: { authorization: { type: 'Bearer', credentials: options.token } },
            },
          ],
        },
      ],
    }),
  );
  let output = '';
  const children: ChildProcess[] = [];
  const start = (command: string, args: string[]) => {
    const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (output = `${output}${chunk.toString()}`.slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.push(child);
  };
  start('prometheus-alertmanager', [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'alertmanager-data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    // One Alertmanager, no gossip peers.
    '--cluster.listen-address=',
  ]);
  start('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    // Firing alerts are re-sent to Alertmanager every second instead of every minute.
    '--rules.alert.resend-delay=1s',
  ]);
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  const stack = {
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    output: () => output,
    stop,
  };
  try {
    for (const url of [stack.prometheusUrl, stack.alertmanagerUrl])
      await eventually(async () => (await fetch(`${url}/-/ready`)).ok, `${url} ready`, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return stack;
}
