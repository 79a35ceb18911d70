/** Client configuration pointing at a simulator: a KubeConfig object or kubeconfig YAML. */
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export const SIM_CONTEXT = 'eafix-sim';

export interface SimKubeConfigOptions {
  server: string;
  token?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** PEM of the CA that signed an https:// server's certificate. */
  caPem?: string;
}

/**
 * Over HTTPS the kubeconfig trusts the simulator's CA, as for a real cluster. Over plain HTTP
 * `insecure-skip-tls-verify` is required: @kubernetes/client-node refuses http:// servers without it.
 */
export function kubeconfigDocument(opts: SimKubeConfigOptions): Record<string, unknown> {
  const cluster = opts.caPem
    ? { server: opts.server, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') }
    : { server: opts.server, 'insecure-skip-tls-verify': true };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: SIM_CONTEXT, cluster }],
    users: [{ name: SIM_CONTEXT, user: opts.token ? { token: opts.token } : {} }],
    contexts: [
      {
        name: SIM_CONTEXT,
        context: { cluster: SIM_CONTEXT, user: SIM_CONTEXT, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
      },
    ],
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
