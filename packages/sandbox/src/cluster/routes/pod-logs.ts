/** GET pods/{name}/log: plain-text container logs with tailLines/sinceSeconds/timestamps/previous. */
import type { JobPodStage } from '../job-pods.ts';
import { generateLogs, renderLogs, type LogLine } from '../logs.ts';
import { podStage, restartCount } from '../pods.ts';
import { badRequest } from '../status.ts';
import type { Pod } from '../types.ts';
import { boolParam, intParam, sendText, type RequestContext } from './context.ts';
import type { ApiDeps, ResourceDef } from './deps.ts';
import { getObject } from './resources.ts';

export function podLogs(ctx: RequestContext, deps: ApiDeps, def: ResourceDef, ns: string, name: string): void {
  const pod = getObject(deps, def, ns, name) as Pod;
  const names = pod.spec.containers.map((c) => c.name);
  const requested = ctx.query.get('container');
  if (!requested && names.length > 1) {
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
  }
  const container = pod.spec.containers.find((c) => c.name === (requested ?? names[0]));
  if (!container) throw badRequest(`container ${requested ?? ''} is not valid for pod ${name}`);
  const now = deps.clock();
  const job = deps.workloads.jobPodLogs(ns, name);
  if (job) return sendJobPodLogs(ctx, container.name, name, job, now);
  const rt = deps.kubelet.runtimes.get(`${ns}/${name}`);
  if (!rt) throw badRequest(`container "${container.name}" in pod "${name}" is not available`);
  const stage = podStage(rt, now);
  const previous = boolParam(ctx.query, 'previous');
  if (previous && restartCount(rt, now, deps.timing) === 0) {
    throw badRequest(`previous terminated container "${container.name}" in pod "${name}" not found`);
  }
  if (!previous && (stage === 'creating' || stage === 'unschedulable')) {
    throw badRequest(`container "${container.name}" in pod "${name}" is waiting to start: ContainerCreating`);
  }
  if (!previous && stage === 'pullError') {
    throw badRequest(
      `container "${container.name}" in pod "${name}" is waiting to start: trying and failing to pull image`,
    );
  }
  const crashed = stage === 'crash' || previous;
  const lines = generateLogs({
    podName: name,
    container: container.name,
    image: container.image,
    startedAt: rt.runningAt,
    now,
    crashedAt: crashed ? (rt.crashSince ?? Math.max(rt.createdAt, rt.runningAt - 1000)) : undefined,
  });
  sendLines(ctx, lines, now);
}

/** Renders with tailLines/sinceSeconds/sinceTime/timestamps, then cuts at limitBytes as the kubelet does. */
function sendLines(ctx: RequestContext, lines: LogLine[], now: number): void {
  const sinceTime = ctx.query.get('sinceTime');
  const text = renderLogs(lines, {
    now,
    tailLines: intParam(ctx.query, 'tailLines'),
    sinceSeconds: intParam(ctx.query, 'sinceSeconds'),
    sinceTime: sinceTime ? Date.parse(sinceTime) : undefined,
    timestamps: boolParam(ctx.query, 'timestamps'),
  });
  const limit = intParam(ctx.query, 'limitBytes');
  if (limit !== undefined && limit < 1) throw badRequest(`limitBytes: Invalid value: ${limit}: must be greater than 0`);
  sendText(ctx.res, 200, limit === undefined ? text : Buffer.from(text, 'utf8').subarray(0, limit).toString('utf8'));
}

function sendJobPodLogs(
  ctx: RequestContext,
  container: string,
  pod: string,
  job: { stage: JobPodStage; lines: LogLine[] },
  now: number,
): void {
  if (job.stage === 'creating')
    throw badRequest(`container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
  if (boolParam(ctx.query, 'previous'))
    throw badRequest(`previous terminated container "${container}" in pod "${pod}" not found`);
  sendLines(ctx, job.lines, now);
}
