/**
 * The bench's world, in two processes of its own, as Slack and the API server are two servers in
 * production (in one process, a run's Kubernetes traffic held up the Slack answers the bench times):
 * `slack` — the Slack emulator (real tier rate limits), Prometheus and PagerDuty emulators; `cluster` —
 * the cluster simulator. Each has a small JSON control server the load generator uses to see what Slack
 * would show (wait for a message), to build click payloads from real messages, and to list the calls.
 *
 * Usage: node --import tsx bench/emulators.ts <policy.yml> <out-dir> <slack|cluster>
 * Prints one JSON line (EmulatorsPart) on stdout once everything listens; stops on SIGTERM.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadPolicy } from '../src/config/policy.ts';
import {
  SANDBOX_BOT_TOKEN,
  SANDBOX_PAGERDUTY_KEY,
  SANDBOX_SIGNING_SECRET,
  seedWorkspace,
} from '@eafix/sandbox/sandbox-world';
import { SlackEmulator, findButton } from '@eafix/sandbox/slack';
import type { EmuMessage, Json } from '@eafix/sandbox/slack';
import { payloadTeam, payloadUser } from '@eafix/sandbox/slack/interaction-payloads';
import { postBotMessage, wireMessage } from '@eafix/sandbox/slack/message-store';
import { ClusterSimulator } from '@eafix/sandbox/cluster';
import { PrometheusEmulator, seedEafixKpis } from '@eafix/sandbox/prometheus';
import { PagerDutyEmulator } from '@eafix/sandbox/pagerduty';

export interface EmulatorsInfo {
  control: string;
  /** The cluster process's control server (`/kube-calls`, `/stats`). */
  clusterControl: string;
  slackApiUrl: string;
  slackUrl: string;
  teamId: string;
  appId: string;
  kubeconfigPath: string;
  clusterUrl: string;
  prometheusUrl: string;
  /** The policy the bot must load: the given one with the PagerDuty emulator's URL. */
  policyPath: string;
  signingSecret: string;
  botToken: string;
  pagerdutyKey: string;
  channels: Record<string, string>;
}

/** What each process prints: the cluster's fields, or the Slack side's. */
export type ClusterPart = Pick<EmulatorsInfo, 'clusterControl' | 'kubeconfigPath' | 'clusterUrl'>;
export type SlackPart = Omit<EmulatorsInfo, keyof ClusterPart>;

const [policyArg, outDir, part] = process.argv.slice(2);
if (!policyArg || !outDir || (part !== 'slack' && part !== 'cluster'))
  throw new Error('usage: emulators.ts <policy.yml> <out-dir> <slack|cluster>');
const policy = await loadPolicy(policyArg);

/** A JSON control server answering POSTs with `route`'s result. */
async function serveControl(route: (path: string, body: Json) => Promise<unknown>): Promise<Server> {
  const control = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as Json;
      route(req.url ?? '', body).then(
        (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
        (error: unknown) => res.writeHead(500).end(error instanceof Error ? error.message : String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  return control;
}
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function serveCluster(): Promise<void> {
  // BENCH_FREEZE_CLUSTER=1 (digest worlds: thousands of pods, only read): reconcile until settled, then
  // stop the controller loop, so the simulator's housekeeping does not compete with the bot for the CPU.
  const frozen = process.env.BENCH_FREEZE_CLUSTER === '1';
  const cluster = new ClusterSimulator({
    topology: policy.topology,
    ...(frozen ? { timing: { tickMs: 24 * 3_600_000 } } : {}),
  });
  await cluster.start();
  const pump = frozen ? setInterval(() => cluster.tick(), 50) : undefined;
  await cluster.settle({ timeoutMs: 600_000 });
  clearInterval(pump);
  const kubeconfigPath = join(outDir!, 'kubeconfig.yml');
  await writeFile(kubeconfigPath, cluster.kubeconfigYaml());
  const control = await serveControl(async (path, body) => {
    switch (path) {
      case '/kube-calls':
        // The Kubernetes API requests since `since` (ms epoch), as the trace's second source (BENCH_TRACE).
        return cluster.requests
          .filter((r) => r.at >= Number(body.since ?? 0))
          .map((r) => ({ method: r.method, at: r.at, status: r.status, path: r.path, watch: r.query.watch }));
      case '/stats':
        return { kubeRequests: cluster.requests.length };
      default:
        throw new Error(`unknown route ${path}`);
    }
  });
  const info: ClusterPart = { clusterControl: urlOf(control), kubeconfigPath, clusterUrl: cluster.url };
  console.log(JSON.stringify(info));
  process.on('SIGTERM', () => {
    control.close();
    void cluster.stop().finally(() => process.exit(0));
  });
}

async function serveSlackSide(): Promise<void> {
  const slack = new SlackEmulator({ botToken: SANDBOX_BOT_TOKEN, signingSecret: SANDBOX_SIGNING_SECRET });
  await slack.start();
  seedWorkspace(slack);
  const prometheus = new PrometheusEmulator();
  await prometheus.start();
  seedEafixKpis(prometheus);
  if (policy.monitoring.backups) prometheus.setResult(policy.monitoring.backups.query, 5 * 3600);
  const pagerduty = new PagerDutyEmulator({ routingKeys: [SANDBOX_PAGERDUTY_KEY] });
  await pagerduty.start();
  const raw = parse(await readFile(policyArg!, 'utf8')) as { incidents: { pagerduty: { url: string } } };
  raw.incidents.pagerduty.url = `${pagerduty.url}/v2/enqueue`;
  const policyPath = join(outDir!, 'policy.yml');
  await writeFile(policyPath, stringify(raw));

  /** Text and blocks together: what a person reading the message would see. */
  const visible = (m: EmuMessage) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;

  function findMessage(body: Json): EmuMessage | undefined {
    const channel = slack.channelId(String(body.channel));
    const list = body.threadTs ? slack.thread(channel, String(body.threadTs)) : slack.messages(channel);
    const includes = (body.includes as string[] | undefined) ?? [];
    const after = Number(body.after ?? 0);
    return list.find(
      (m) => m.ts !== body.threadTs && Number(m.ts) > after && includes.every((s) => visible(m).includes(s)),
    );
  }

  /** A block_actions payload for a button on a channel message, as Slack sends it. */
  function clickPayload(body: Json): Json {
    const user = slack.state.userByRef(String(body.user));
    if (!user) throw new Error(`no user ${String(body.user)}`);
    const channelId = slack.channelId(String(body.channel));
    const message = slack.state.findMessage(channelId, String(body.messageTs));
    if (!message) throw new Error(`no message ${String(body.messageTs)}`);
    const { blockId, element } = findButton(message.blocks, { actionId: String(body.actionId) });
    const channel = slack.channelByName(channelId);
    return {
      type: 'block_actions',
      user: payloadUser(user),
      api_app_id: slack.appId,
      token: 'sandbox-verification-token',
      trigger_id: slack.issueTriggerId(user.id),
      team: payloadTeam(slack.state),
      enterprise: null,
      is_enterprise_install: false,
      container: { type: 'message', message_ts: message.ts, channel_id: channelId, is_ephemeral: false },
      channel: { id: channelId, name: channel.name },
      message: wireMessage(slack.state, message),
      state: { values: {} },
      response_url: slack.issueResponseUrl({ channel: channelId, user: user.id, messageTs: message.ts }),
      actions: [
        {
          action_id: element.action_id,
          block_id: blockId,
          text: element.text,
          value: element.value,
          type: 'button',
          action_ts: slack.state.nextTs(),
        },
      ],
    };
  }

  const control = await serveControl(async (path, body) => {
    switch (path) {
      case '/wait-message': {
        const message = await slack.waitFor(() => findMessage(body), { timeoutMs: Number(body.timeoutMs ?? 60_000) });
        const blockTexts = (message.blocks ?? []).flatMap((b) => {
          const text = (b as { text?: { text?: string } }).text?.text;
          return text ? [text] : [];
        });
        return { ts: message.ts, text: message.text, blockTexts };
      }
      case '/click-payload':
        return clickPayload(body);
      case '/post-button': {
        const button = {
          type: 'button',
          action_id: String(body.actionId),
          text: { type: 'plain_text', text: 'Approve' },
          value: 'bench',
        };
        const message = postBotMessage(slack.state, slack.channelId(String(body.channel)), {
          text: String(body.text),
          blocks: [{ type: 'actions', elements: [button] }],
        });
        return { ts: message.ts };
      }
      case '/calls':
        // The Slack Web API calls since `since` (ms epoch): method, time, channel, thread, text head (BENCH_TRACE).
        return slack.calls
          .filter((c) => c.at >= Number(body.since ?? 0))
          .map((c) => ({
            method: c.method,
            at: c.at,
            status: c.status,
            channel: c.args.channel,
            thread: c.args.thread_ts,
            text: String(c.args.text ?? '').slice(0, 60),
          }));
      case '/stats':
        return { slackCalls: slack.calls.length };
      default:
        throw new Error(`unknown route ${path}`);
    }
  });
  const info: SlackPart = {
    control: urlOf(control),
    slackApiUrl: slack.apiUrl,
    slackUrl: slack.url,
    teamId: slack.teamId,
    appId: slack.appId,
    prometheusUrl: prometheus.url,
    policyPath,
    signingSecret: SANDBOX_SIGNING_SECRET,
    botToken: SANDBOX_BOT_TOKEN,
    pagerdutyKey: SANDBOX_PAGERDUTY_KEY,
    channels: Object.fromEntries(
      ['eafix-ops', 'eafix-incidents', 'security'].map((name) => [name, slack.channelId(name)]),
    ),
  };
  console.log(JSON.stringify(info));
  process.on('SIGTERM', () => {
    control.close();
    void Promise.all([pagerduty.stop(), prometheus.stop(), slack.stop()]).finally(() => process.exit(0));
  });
}

if (part === 'cluster') await serveCluster();
else await serveSlackSide();
