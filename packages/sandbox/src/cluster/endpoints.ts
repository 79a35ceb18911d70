/** The Endpoints controller: each selector Service lists its pods, Ready ones as addresses. */
import { isPodReady } from './pods.ts';
import { matchLabels } from './selectors.ts';
import type { Store } from './store.ts';
import type { EndpointAddress, Endpoints, Pod, Service } from './types.ts';

function address(pod: Pod): EndpointAddress {
  return {
    ip: pod.status?.podIP ?? '',
    nodeName: pod.spec.nodeName,
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name,
      uid: pod.metadata.uid ?? '',
    },
  };
}

const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, 'en', { numeric: true });

export function desiredEndpoints(service: Service, pods: Pod[]): Endpoints {
  const ns = service.metadata.namespace ?? 'default';
  const members = pods.filter(
    (p) => !p.metadata.deletionTimestamp && p.status?.podIP && matchLabels(service.spec.selector, p.metadata.labels),
  );
  const addresses = members.filter(isPodReady).map(address).sort(byIp);
  const notReady = members
    .filter((p) => !isPodReady(p))
    .map(address)
    .sort(byIp);
  const ports = (service.spec.ports ?? []).map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
    protocol: p.protocol ?? 'TCP',
  }));
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: service.metadata.name,
      namespace: ns,
      ...(service.metadata.labels ? { labels: service.metadata.labels } : {}),
    },
  };
  if (addresses.length + notReady.length > 0) {
    ep.subsets = [
      {
        ...(addresses.length ? { addresses } : {}),
        ...(notReady.length ? { notReadyAddresses: notReady } : {}),
        ports,
      },
    ];
  }
  return ep;
}

export function syncEndpoints(store: Store): void {
  const podsByNs = new Map<string, Pod[]>();
  for (const svc of store.list<Service>('services')) {
    if (!svc.spec.selector || Object.keys(svc.spec.selector).length === 0) continue;
    const ns = svc.metadata.namespace ?? 'default';
    let pods = podsByNs.get(ns);
    if (!pods) {
      pods = store.list<Pod>('pods', ns);
      podsByNs.set(ns, pods);
    }
    const want = desiredEndpoints(svc, pods);
    const current = store.get<Endpoints>('endpoints', ns, svc.metadata.name);
    if (!current) {
      store.create('endpoints', want);
    } else {
      const { subsets: _old, ...rest } = current;
      store.update('endpoints', want.subsets ? { ...rest, subsets: want.subsets } : rest);
    }
  }
}
