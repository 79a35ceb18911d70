/**
 * client-node 1.x builds a new http(s).Agent for every request, so each Kubernetes call pays a TCP (and
 * TLS) handshake and leaves a socket behind. This keeps one keep-alive agent per distinct set of
 * connection options and hands it to every request. Proxy agents are left as client-node makes them.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Idle sockets are closed after this, well before API servers drop them (so a reused socket is alive). */
const IDLE_SOCKET_MS = 30_000;

const CONNECTION_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function keyOf(agent: http.Agent): string {
  const options = (agent as http.Agent & { options: Record<string, unknown> }).options;
  const parts = CONNECTION_OPTIONS.map((name) => {
    const value = options[name];
    return Buffer.isBuffer(value) ? value.toString('base64') : JSON.stringify(value ?? null);
  });
  return `${agent.constructor === https.Agent ? 'https' : 'http'}|${parts.join('|')}`;
}

/** Makes `kubeConfig`'s API clients reuse connections; returns the same object. */
export function reuseConnections(kubeConfig: KubeConfig): KubeConfig {
  const agents = new Map<string, http.Agent>();
  const apply = kubeConfig.applySecurityAuthentication.bind(kubeConfig);
  kubeConfig.applySecurityAuthentication = async (context) => {
    await apply(context);
    const made = context.getAgent();
    if (!made || (made.constructor !== http.Agent && made.constructor !== https.Agent)) return;
    const key = keyOf(made as http.Agent);
    let agent = agents.get(key);
    if (!agent) {
      const options = {
        ...(made as http.Agent & { options: https.AgentOptions }).options,
        keepAlive: true,
        timeout: IDLE_SOCKET_MS,
      };
      agent = made.constructor === https.Agent ? new https.Agent(options) : new http.Agent(options);
      agents.set(key, agent);
    }
    context.setAgent(agent);
  };
  return kubeConfig;
}
