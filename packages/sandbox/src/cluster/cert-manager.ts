/**
 * cert-manager in the simulator: the `cert-manager.io/v1` Certificate CRD, and one Ready certificate per
 * seeded environment (the gateway's TLS, 60 days from expiry) whose status is what cert-manager writes:
 * `notAfter`, `renewalTime` (two thirds through) and a Ready condition. Tests set expiry and readiness.
 */
import type { Crd, ResourceRegistry } from './registry.ts';
import type { Store } from './store.ts';
import type { K8sObject } from './types.ts';

export const CERTIFICATES = 'certificates.cert-manager.io';
const DAY_MS = 24 * 3600 * 1000;

export const CERTIFICATE_CRD: Crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: CERTIFICATES, labels: { app: 'cert-manager' } },
  spec: {
    group: 'cert-manager.io',
    scope: 'Namespaced',
    names: { plural: 'certificates', singular: 'certificate', kind: 'Certificate', shortNames: ['cert', 'certs'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

export interface CertificateState {
  notAfter: Date;
  ready?: boolean;
  dnsNames?: string[];
  message?: string;
}

function certificate(namespace: string, name: string, state: CertificateState, now: number): K8sObject {
  const ready = state.ready ?? true;
  const notBefore = new Date(state.notAfter.getTime() - 90 * DAY_MS);
  const renewalTime = new Date(notBefore.getTime() + (2 / 3) * 90 * DAY_MS);
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace },
    spec: {
      secretName: name,
      dnsNames: state.dnsNames ?? [`${name.replace(/-tls$/, '')}.${namespace}.eafix.local`],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' },
    },
    status: {
      notBefore: notBefore.toISOString(),
      notAfter: state.notAfter.toISOString(),
      renewalTime: renewalTime.toISOString(),
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'Ready' : 'Failed',
          message: state.message ?? (ready ? 'Certificate is up to date and has not expired' : 'Issuing failed'),
          lastTransitionTime: new Date(now).toISOString(),
        },
      ],
    },
  } as K8sObject;
}

/** Creates or replaces a Certificate with the status cert-manager would have written. */
export function setCertificate(store: Store, namespace: string, name: string, state: CertificateState, now: number) {
  const obj = certificate(namespace, name, state, now);
  if (store.has(CERTIFICATES, namespace, name)) return store.update(CERTIFICATES, obj);
  return store.create(CERTIFICATES, obj);
}

export function installCertManager(store: Store, registry: ResourceRegistry, namespaces: string[], now: number): void {
  registry.register(CERTIFICATE_CRD);
  const at = new Date(now - 90 * DAY_MS).toISOString();
  store.create('customresourcedefinitions', {
    ...structuredClone(CERTIFICATE_CRD),
    metadata: { ...CERTIFICATE_CRD.metadata, generation: 1, creationTimestamp: at },
    status: {
      conditions: [{ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', lastTransitionTime: at }],
      acceptedNames: CERTIFICATE_CRD.spec.names,
      storedVersions: ['v1'],
    },
  });
  for (const namespace of namespaces)
    setCertificate(store, namespace, 'eafix-gateway-tls', { notAfter: new Date(now + 60 * DAY_MS) }, now);
}
