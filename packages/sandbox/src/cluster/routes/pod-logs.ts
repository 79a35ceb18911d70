/** GET pods/{name}/log: plain-text container logs with tailLines/sinceSeconds/timestamps/previous. */
import { generateLogs, renderLogs } from '../logs.ts';
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
  const rt = deps.kubelet.runtimes.get(`${ns}/${name}`);
  const now = deps.clock();
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
    throw badRequest(`container "${container.name}" in pod "${name}" is waiting to start: trying and failing to pull image`);
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
  const sinceTime = ctx.query.get('sinceTime');
  sendText(
    ctx.res,
    200,
    renderLogs(lines, {
      now,
      tailLines: intParam(ctx.query, 'tailLines'),
      sinceSeconds: intParam(ctx.query, 'sinceSeconds'),
      sinceTime: sinceTime ? Date.parse(sinceTime) : undefined,
      timestamps: boolParam(ctx.query, 'timestamps'),
    }),
  );
}
