/** The EAFIX platform as the runbook describes it; the sandbox's default. */
import { topologySchema, type Topology } from '../bot.ts';

const REGISTRY = 'registry.eafix.local/eafix';

function service(name: string, replicas: { min: number; max: number; default: number }, version = '1.8.2') {
  return {
    name,
    deployment: `eafix-${name}`,
    appLabel: `eafix-${name}`,
    replicas,
    image: `${REGISTRY}/${name}:${version}`,
  };
}

export function defaultTopology(): Topology {
  return topologySchema.parse({
    environments: {
      production: { namespace: 'eafix-production' },
      staging: { namespace: 'eafix-staging' },
      dr: { namespace: 'eafix-dr' },
    },
    gateway: { service: 'eafix-gateway', selectorKey: 'version', baseSelector: { app: 'eafix-gateway' } },
    colours: {
      blue: { deployment: 'eafix-blue', replicas: { min: 0, max: 10, default: 3 } },
      green: { deployment: 'eafix-green', replicas: { min: 0, max: 10, default: 3 } },
    },
    services: [
      service('data-ingestor', { min: 1, max: 10, default: 2 }),
      service('signal-generator', { min: 1, max: 10, default: 2 }),
      service('execution-engine', { min: 2, max: 10, default: 3 }),
      service('portfolio-manager', { min: 1, max: 10, default: 2 }),
      service('risk-manager', { min: 2, max: 10, default: 3 }),
      service('auth-service', { min: 1, max: 6, default: 2 }),
      service('market-data', { min: 1, max: 10, default: 2 }),
      service('notification-service', { min: 1, max: 5, default: 2 }),
    ],
  });
}
