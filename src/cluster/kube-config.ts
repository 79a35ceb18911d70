/**
 * Where the bot's Kubernetes credentials come from: an explicit kubeconfig (option or KUBECONFIG), or
 * the pod's service account. Never client-node's `loadFromDefault`, which quietly ends at
 * http://localhost:8080 when it finds nothing, and never ~/.kube/config by accident: a bot that
 * writes to production must be pointed at its cluster on purpose.
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isIPv6 } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../app-error.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface LoadKubeConfigOptions {
  /** kubeconfig file(s), `:`-separated like KUBECONFIG; wins over the environment. */
  kubeconfigPath?: string;
  /** Context to use instead of the file's current-context. */
  context?: string;
  /** true: only the service account; false: never; undefined: when KUBERNETES_SERVICE_HOST and the token exist. */
  inCluster?: boolean;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Where the service account token, ca.crt and namespace live. */
  serviceAccountDir?: string;
}

const WHAT_TO_SET =
  'Set KUBECONFIG (or the kubeconfig path option) to a kubeconfig file, or run the bot in a pod with a service account (KUBERNETES_SERVICE_HOST and a mounted token).';

function notConfigured(message: string, cause?: unknown): AppError {
  return new AppError('cluster_not_configured', message, { hints: [WHAT_TO_SET], cause });
}

function fromFiles(paths: string): KubeConfig {
  const files = paths.split(delimiter).filter((f) => f.trim() !== '');
  if (files.length === 0) throw notConfigured('The kubeconfig path is empty.');
  const kc = new KubeConfig();
  files.forEach((file, i) => {
    if (!existsSync(file)) throw notConfigured(`The kubeconfig file ${file} does not exist.`);
    const next = i === 0 ? kc : new KubeConfig();
    try {
      next.loadFromFile(file);
      // Like kubectl, the first file's current-context wins.
      if (next !== kc) kc.mergeConfig(next, true);
    } catch (error) {
      throw notConfigured(`The kubeconfig file ${file} could not be read: ${(error as Error).message}`, error);
    }
  });
  return kc;
}

function inClusterConfig(env: Record<string, string | undefined>, dir: string): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const tokenFile = join(dir, 'token');
  if (!host) throw notConfigured('In-cluster configuration was requested but KUBERNETES_SERVICE_HOST is not set.');
  if (!existsSync(tokenFile))
    throw notConfigured(
      `In-cluster configuration was requested but there is no service account token at ${tokenFile}.`,
    );
  const caFile = join(dir, 'ca.crt');
  const namespaceFile = join(dir, 'namespace');
  const kc = new KubeConfig();
  // What client-node's loadFromCluster builds, but from the given env and directory. The tokenFile
  // provider re-reads the token, so projected (rotating) tokens keep working.
  kc.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        skipTLSVerify: false,
        ...(existsSync(caFile) ? { caFile } : {}),
      },
    ],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [
      {
        name: 'in-cluster',
        cluster: 'in-cluster',
        user: 'in-cluster',
        ...(existsSync(namespaceFile) ? { namespace: readFileSync(namespaceFile, 'utf8').trim() } : {}),
      },
    ],
    currentContext: 'in-cluster',
  });
  return kc;
}

function choose(options: LoadKubeConfigOptions, env: Record<string, string | undefined>, dir: string): KubeConfig {
  if (options.inCluster === true) return inClusterConfig(env, dir);
  const path = options.kubeconfigPath ?? (env.KUBECONFIG?.trim() ? env.KUBECONFIG : undefined);
  if (path) return fromFiles(path);
  if (options.inCluster !== false && env.KUBERNETES_SERVICE_HOST) {
    if (existsSync(join(dir, 'token'))) return inClusterConfig(env, dir);
    throw notConfigured(
      `No Kubernetes configuration: KUBERNETES_SERVICE_HOST is set but there is no service account token at ${join(dir, 'token')}, and KUBECONFIG is not set.`,
    );
  }
  throw notConfigured('No Kubernetes configuration: KUBECONFIG is not set and the bot is not running in a cluster.');
}

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = choose(options, env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  const contexts = kc.getContexts().map((c) => c.name);
  if (options.context !== undefined) {
    if (!contexts.includes(options.context)) {
      throw notConfigured(
        `The kubeconfig has no context "${options.context}" (it has: ${contexts.join(', ') || 'none'}).`,
      );
    }
    kc.setCurrentContext(options.context);
  } else if (!kc.getCurrentContext() || !contexts.includes(kc.getCurrentContext())) {
    throw notConfigured(`The kubeconfig has no current context; choose one of: ${contexts.join(', ') || 'none'}.`);
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw notConfigured(`Context "${kc.getCurrentContext()}" names no cluster with a server URL.`);
  try {
    new URL(server);
  } catch (error) {
    throw notConfigured(`The cluster server "${server}" is not a URL.`, error);
  }
  return kc;
}
