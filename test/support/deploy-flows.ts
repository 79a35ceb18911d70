import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadPolicy, type Policy } from '../../src/config/policy.ts';
import type { EmuMessage, SlackEmulator } from '@eafix/sandbox/slack';
import { examplePolicyPath, type WorldOptions } from '@eafix/sandbox/sandbox-world';
import { defaultKpiQueries, defaultKpiValues } from '@eafix/sandbox/prometheus';
import { approvedRun, ephemeralText, runsSettled, type FormSteps } from './approvals.ts';
import { runAtRest, type RunRow } from './runs.ts';
import { startWorld, type TestWorld } from './world.ts';

/**
 * `/eafix deploy` driven as people in Slack drive it (request, second person's approval, the buttons of
 * a paused run), for the deploy e2e tests. Everything asserted is read from the database and emulators.
 */
const ops = 'eafix-ops';

export type { FormSteps } from './approvals.ts';

/** The deploy's monitor window (seconds here, five minutes in production) and how often it reads the KPIs. */
export interface MonitorSettings {
  monitorSeconds: number;
  monitorIntervalSeconds: number;
}

/** A one-second monitor: long enough to read the KPIs a few times, short enough for a test. */
export const QUICK_MONITOR: MonitorSettings = { monitorSeconds: 1, monitorIntervalSeconds: 0.2 };

/** The example policy with the given deploy monitor. */
export async function policyWithMonitor(monitor: MonitorSettings = QUICK_MONITOR): Promise<Policy> {
  const policy = await loadPolicy(examplePolicyPath);
  policy.platform.deploy.monitorSeconds = monitor.monitorSeconds;
  policy.platform.deploy.monitorIntervalSeconds = monitor.monitorIntervalSeconds;
  return policy;
}

export interface PolicyFile {
  path: string;
  remove(): Promise<void>;
}

/**
 * The example policy with the given deploy monitor, written to a file of its own for worker processes
 * (they read their policy from a file); `remove` deletes it.
 */
export async function policyFileWithMonitor(label: string, monitor: MonitorSettings): Promise<PolicyFile> {
  const path = join(tmpdir(), `eafix-${label}-${process.pid}.yml`);
  const policy = parse(await readFile(examplePolicyPath, 'utf8')) as { platform: { deploy?: unknown } };
  policy.platform.deploy = monitor;
  await writeFile(path, stringify(policy));
  return { path, remove: () => rm(path, { force: true }) };
}

/** Pods, Jobs and backups in tens of milliseconds: a deploy's many steps finish in seconds. */
export const DEPLOY_CLUSTER_TIMING = {
  podStartMs: 20,
  podReadyMs: 40,
  tickMs: 10,
  commandScale: 0.05,
  veleroRunMs: 100,
};

/** A world for deploys: the fast cluster, and whatever else the test needs (a policy, a role, a clock). */
export function startDeployWorld(label: string, options: Partial<WorldOptions> = {}): Promise<TestWorld> {
  return startWorld(label, { ...options, clusterTiming: DEPLOY_CLUSTER_TIMING });
}

/** Before each deploy test: the previous test's runs have ended and the error rate is back to normal. */
export async function readyForNextDeploy(world: TestWorld): Promise<void> {
  await runsSettled(world);
  world.prometheus.setResult(defaultKpiQueries.error_rate_percent, defaultKpiValues.error_rate_percent);
}

/**
 * `/eafix deploy <args>`, approved by a second person; resolves once its run ended or paused. With
 * `form`, the command opens the deploy form and `form` fills and submits it, as a person would.
 */
export async function approvedDeploy(
  world: TestWorld,
  args: string,
  options: { requester?: string; approver?: string; form?: FormSteps } = {},
): Promise<{ message: EmuMessage; id: string; run: RunRow }> {
  const { message, id, runId } = await approvedRun(world, `deploy ${args}`, options);
  return { message, id, run: await runAtRest(world, runId) };
}

/** The paused run's question in the thread of `threadTs`, once posted with the button of `optionId`. */
export function pauseQuestion(slack: SlackEmulator, threadTs: string, optionId: string): Promise<EmuMessage> {
  return slack.waitFor(
    (emu) => emu.thread(ops, threadTs).find((m) => JSON.stringify(m.blocks ?? []).includes(`run:decide:${optionId}`)),
    { description: `the paused question with its ${optionId} button` },
  );
}

/** `user` clicks the option on the question; resolves once the bot told them it was recorded. */
export async function decide(world: TestWorld, question: EmuMessage, optionId: string, user = 'alice'): Promise<void> {
  const seen = world.slack.ephemerals(user).length;
  await world.driver.clickButton({ user, channel: ops, messageTs: question.ts, actionId: `run:decide:${optionId}` });
  await world.slack.waitFor(() => ephemeralText(world, user, seen).includes('Recorded') || undefined, {
    description: `${user}'s ${optionId} recorded`,
  });
}
