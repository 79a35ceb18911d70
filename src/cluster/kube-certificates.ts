/**
 * cert-manager `cert-manager.io/v1` Certificates through the custom-objects API, read as a library-free
 * status: when each expires (`status.notAfter`), when cert-manager means to renew it, and whether it is Ready.
 */
import type { ClusterCertificates } from './cluster.ts';
import type { KubeContext, KubeOperations } from './kube-context.ts';
import { namespaceFor } from './cluster-targets.ts';
import type { CertificateStatus } from './workload-types.ts';

interface CertificateObject {
  metadata?: { name?: string; namespace?: string };
  spec?: { secretName?: string; dnsNames?: string[]; commonName?: string; issuerRef?: { name?: string } };
  status?: {
    notAfter?: string;
    renewalTime?: string;
    conditions?: Array<{ type?: string; status?: string; message?: string }>;
  };
}

const date = (text: string | undefined) => (text && !Number.isNaN(Date.parse(text)) ? new Date(text) : undefined);

function toStatus(obj: CertificateObject): CertificateStatus {
  const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
  const notAfter = date(obj.status?.notAfter);
  const renewalTime = date(obj.status?.renewalTime);
  return {
    name: obj.metadata?.name ?? '',
    namespace: obj.metadata?.namespace ?? '',
    secretName: obj.spec?.secretName ?? '',
    dnsNames: obj.spec?.dnsNames ?? (obj.spec?.commonName ? [obj.spec.commonName] : []),
    ready: ready?.status === 'True',
    ...(ready?.message ? { message: ready.message } : {}),
    ...(notAfter ? { notAfter } : {}),
    ...(renewalTime ? { renewalTime } : {}),
  };
}

/** The environment's Certificates, soonest expiry first (unknown expiry last). */
export async function listCertificates(k: KubeContext, environment: string): Promise<CertificateStatus[]> {
  const namespace = namespaceFor(k.topology, environment);
  const list = (await k.requests.run({ verb: 'list', resource: 'certificates', namespace }, (o) =>
    k.custom.listNamespacedCustomObject(
      { group: 'cert-manager.io', version: 'v1', namespace, plural: 'certificates' },
      o,
    ),
  )) as { items?: CertificateObject[] };
  const expiry = (c: CertificateStatus) => c.notAfter?.getTime() ?? Number.POSITIVE_INFINITY;
  return (list.items ?? []).map(toStatus).sort((a, b) => expiry(a) - expiry(b) || a.name.localeCompare(b.name));
}

export const certificateOperations: KubeOperations<ClusterCertificates> = { listCertificates };
