/** Client configuration pointing at a simulator: a KubeConfig object or kubeconfig YAML. */
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export const SIM_CONTEXT = 'eafix-sim';

export interface SimKubeConfigOptions {
  server: string;
  token?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

/**
 * `insecure-skip-tls-verify` is required: @kubernetes/client-node refuses
 * plain http:// servers unless it is set.
 */
export function kubeconfigDocument(opts: SimKubeConfigOptions): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: SIM_CONTEXT, cluster: { server: opts.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: SIM_CONTEXT, user: opts.token ? { token: opts.token } : {} }],
    contexts: [{ name: SIM_CONTEXT, context: { cluster: SIM_CONTEXT, user: SIM_CONTEXT, ...(opts.namespace ? { namespace: opts.namespace } : {}) } }],
    'current-context': SIM_CONTEXT,
    preferences: {},
  };
}

export function kubeconfigYaml(opts: SimKubeConfigOptions): string {
  return stringify(kubeconfigDocument(opts));
}

export function buildKubeConfig(opts: SimKubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(opts));
  return kc;
}
