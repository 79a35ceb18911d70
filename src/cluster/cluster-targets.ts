/**
 * Resolves the names people type (environment, service, colour) to namespaces, deployments and pod
 * selectors, and checks replica counts against the topology. Pure: runs before any request, so a typo
 * never reaches the cluster.
 */
import { AppError } from '../app-error.ts';
import type { Colour, Topology } from '../config/topology.ts';

export interface ReplicaBounds {
  min: number;
  max: number;
  default: number;
}

export interface Target {
  /** What the user called it: a service name or a colour. */
  name: string;
  kind: 'service' | 'colour';
  deployment: string;
  /** Labels that select the target's pods. */
  selector: Record<string, string>;
  replicas: ReplicaBounds;
}

const COLOURS: readonly Colour[] = ['blue', 'green'];

export function isColour(value: string): value is Colour {
  return (COLOURS as readonly string[]).includes(value);
}

export function namespaceFor(topology: Topology, environment: string): string {
  const namespace = topology.environments[environment]?.namespace;
  if (namespace) return namespace;
  throw new AppError('unknown_environment', `There is no environment called "${environment}".`, {
    hints: [`Known environments: ${Object.keys(topology.environments).join(', ')}`],
  });
}

export function colourSelector(topology: Topology, colour: Colour): Record<string, string> {
  return { ...topology.gateway.baseSelector, [topology.gateway.selectorKey]: colour };
}

export function allTargets(topology: Topology): Target[] {
  const colours = COLOURS.map((colour): Target => {
    const spec = topology.colours[colour];
    return {
      name: colour,
      kind: 'colour',
      deployment: spec.deployment,
      selector: colourSelector(topology, colour),
      replicas: spec.replicas,
    };
  });
  const services = topology.services.map((s): Target => ({
    name: s.name,
    kind: 'service',
    deployment: s.deployment,
    selector: { app: s.appLabel },
    replicas: s.replicas,
  }));
  return [...colours, ...services];
}

/** Accepts a service name, a colour, or the deployment name the runbook uses (eafix-blue). */
export function resolveTarget(topology: Topology, name: string): Target {
  const targets = allTargets(topology);
  const found = targets.find((t) => t.name === name) ?? targets.find((t) => t.deployment === name);
  if (found) return found;
  throw new AppError('unknown_service', `There is no service called "${name}".`, {
    hints: [`Known services: ${targets.map((t) => t.name).join(', ')}`],
  });
}

interface DeploymentIndex {
  /** The parts of the topology the index was built from: a different array means rebuild. */
  from: [Topology['services'], Topology['colours'], Topology['gateway']];
  byDeployment: Map<string, Target>;
}

const deploymentIndexes = new WeakMap<Topology, DeploymentIndex>();

/** The topology name of a deployment, if it has one (indexed: status looks up every deployment). */
export function targetForDeployment(topology: Topology, deployment: string): Target | undefined {
  let index = deploymentIndexes.get(topology);
  const from: DeploymentIndex['from'] = [topology.services, topology.colours, topology.gateway];
  if (!index || index.from.some((part, i) => part !== from[i])) {
    const byDeployment = new Map<string, Target>();
    for (const target of allTargets(topology))
      if (!byDeployment.has(target.deployment)) byDeployment.set(target.deployment, target);
    index = { from, byDeployment };
    deploymentIndexes.set(topology, index);
  }
  return index.byDeployment.get(deployment);
}

export function checkReplicas(target: Target, replicas: number, environment: string): void {
  const { min, max } = target.replicas;
  if (Number.isInteger(replicas) && replicas >= min && replicas <= max) return;
  throw new AppError('replicas_out_of_bounds', `${target.name} takes ${min}–${max} replicas in ${environment}`, {
    hints: [`Asked for ${replicas}; the topology allows ${min} to ${max} (default ${target.replicas.default}).`],
  });
}

export function formatSelector(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
