/** Minimal discovery: /version, /api, /apis and the per-group resource lists. */
import { sendJson, sendText, type RequestContext } from './context.ts';
import type { ResourceRegistry } from '../registry.ts';
import { EVENTS_GROUP, METRICS_GROUP } from './extra-apis.ts';

export const SIMULATED_VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.4-eafix-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-14T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const GROUPS = [
  { name: 'apps', version: 'v1' },
  { name: 'batch', version: 'v1' },
  { name: 'apiextensions.k8s.io', version: 'v1' },
  { name: 'authorization.k8s.io', version: 'v1' },
  EVENTS_GROUP,
  METRICS_GROUP,
];

interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
  shortNames?: string[];
  categories?: string[];
}

function resourceList(registry: ResourceRegistry, group: string, version: string) {
  const resources: ApiResource[] = registry
    .all()
    .filter((r) => r.group === group && r.version === version)
    .flatMap((r) => {
      const main: ApiResource = {
        name: r.resource,
        singularName: r.singular ?? r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: [...r.verbs],
        shortNames: r.shortNames,
        ...(r.categories ? { categories: r.categories } : {}),
      };
      const out = [main];
      if (r.resource === 'deployments' || r.subresources?.scale)
        out.push({
          name: `${r.resource}/scale`,
          singularName: '',
          namespaced: r.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        });
      if (r.subresources?.status)
        out.push({
          name: `${r.resource}/status`,
          singularName: '',
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['get', 'patch', 'update'],
        });
      if (r.resource === 'pods')
        out.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
      return out;
    });
  if (group === EVENTS_GROUP.name) {
    resources.push({
      name: 'events',
      singularName: 'event',
      namespaced: true,
      kind: 'Event',
      verbs: ['get', 'list'],
      shortNames: ['ev'],
    });
  }
  if (group === METRICS_GROUP.name) {
    resources.push({ name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] });
  }
  if (group === 'authorization.k8s.io') {
    resources.push({
      name: 'selfsubjectaccessreviews',
      singularName: 'selfsubjectaccessreview',
      namespaced: false,
      kind: 'SelfSubjectAccessReview',
      verbs: ['create'],
    });
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/** Answers discovery paths; returns false when the path is not one of them. */
export function discovery(ctx: RequestContext, registry: ResourceRegistry): boolean {
  const groups = [...GROUPS, ...registry.customGroups()];
  const { path, res } = ctx;
  const host = ctx.req.headers.host ?? '127.0.0.1';
  switch (path) {
    case '/version':
      sendJson(res, 200, SIMULATED_VERSION);
      return true;
    case '/healthz':
    case '/livez':
    case '/readyz':
      sendText(res, 200, 'ok');
      return true;
    case '/api':
      sendJson(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
      });
      return true;
    case '/apis':
      sendJson(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((g) => ({
          name: g.name,
          versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }],
          preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version },
        })),
      });
      return true;
    case '/api/v1':
      sendJson(res, 200, resourceList(registry, '', 'v1'));
      return true;
  }
  const group = groups.find((g) => path === `/apis/${g.name}/${g.version}`);
  if (group) {
    sendJson(res, 200, resourceList(registry, group.name, group.version));
    return true;
  }
  return false;
}
