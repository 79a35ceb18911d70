import { coloursLine } from '../deployment/colours.ts';
import { platformSwitches } from '../core/platform-status.ts';
import type { DeploymentStatus, LiveColour } from '../../cluster/cluster.ts';
import type { RunRecord } from '../../jobs/run-record.ts';
import type { Logger } from '../../logger.ts';
import type { ApprovalRequest } from '../../permissions/approval-types.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { chapters } from '../core/define-action.ts';
import type { Incident } from '../incidents/incident-types.ts';
import { part, type Part, type PlatformSnapshot } from './digest-snapshot.ts';
import { readDrStatus, type DrStatus } from '../disaster-recovery/dr-status.ts';

/** What one person's App Home shows (the `home` action, authorised like any other), gathered at once; the view is a pure function of it (app-home-view.ts). */
export interface HomeData {
  user: string;
  environment: string;
  at: Date;
  deployments: Part<DeploymentStatus[]>;
  live: Part<LiveColour>;
  /** Live and idle colour with versions and the rollback target, when the cluster answered. */
  colours?: string | undefined;
  platform: Part<PlatformSnapshot>;
  /** Pending requests this person may decide (never their own). */
  approvals: Part<ApprovalRequest[]>;
  runs: Part<RunRecord[]>;
  incidents: Part<Incident[]>;
  /** Every action by runbook chapter, in help's order: what can be done from here. */
  chapters: Array<{ chapter: string; actions: string[] }>;
  /** The Disaster Recovery chapter: newest backup, verified backup and drill. */
  recovery?: Part<DrStatus>;
}

export function actionsByChapter(deps: Pick<ActionDeps, 'registry'>): HomeData['chapters'] {
  return chapters
    .map((chapter) => ({
      chapter,
      actions: deps.registry.actions.filter((a) => a.chapter === chapter && a.typed !== false).map((a) => a.id),
    }))
    .filter((c) => c.actions.length > 0);
}

/** Approvals shown per home; four blocks each keeps the view well within 100 blocks. */
export const HOME_APPROVALS = 10;

async function decidable(deps: ActionDeps, user: string, teamId: string): Promise<ApprovalRequest[]> {
  const pending = await deps.approvals.listPending(50);
  const mine: ApprovalRequest[] = [];
  for (const request of pending) {
    if (request.requester === user || (teamId && request.teamId !== teamId)) continue;
    if ((await deps.authorizer.mayApprove(user, request.permission)).allowed) mine.push(request);
    if (mine.length >= HOME_APPROVALS) break;
  }
  return mine;
}

async function recentRuns(deps: ActionDeps, user: string): Promise<RunRecord[]> {
  return deps.monitoring.runStats.recentBy(user, 5);
}

export async function gatherHome(deps: ActionDeps, user: string, teamId: string, logger: Logger): Promise<HomeData> {
  const environment = deps.topology.environments.production
    ? 'production'
    : (Object.keys(deps.topology.environments)[0] as string);
  const at = deps.now();
  const [deployments, live, platform, approvals, runs, incidents, recovery] = await Promise.all([
    part(() => deps.cluster.status(environment), logger),
    part(() => deps.cluster.liveColour(environment), logger),
    part(() => platformSwitches(deps, environment), logger),
    part(() => decidable(deps, user, teamId), logger),
    part(() => recentRuns(deps, user), logger),
    part(() => deps.incidents.listOpen(), logger),
    part(() => readDrStatus(deps), logger),
  ]);
  const colours = live.ok && deployments.ok ? coloursLine(deps.topology, live.value, deployments.value) : undefined;
  return {
    user,
    environment,
    at,
    deployments,
    live,
    colours,
    platform,
    approvals,
    runs,
    incidents,
    chapters: actionsByChapter(deps),
    recovery,
  };
}
