import type { Colour, Topology } from '../bot.ts';
import type { Timing } from './timing.ts';

/** How a ClusterSimulator starts: what it seeds, how it serves, and its clock. */
export interface ClusterSimulatorOptions {
  topology: Topology;
  /** Environments to seed (keys of topology.environments); default all. */
  environments?: string[];
  /** Colour the gateway points at, scaled up; the other is at 0. Default 'green'. */
  liveColour?: Colour;
  timing?: Partial<Timing>;
  /** When set, every API request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Serve HTTPS with a freshly generated CA (in the kubeconfig), as kubectl needs to send a token.
   * Default: plain HTTP.
   */
  tls?: boolean;
  now?: () => number;
  /** Seed each environment's PostgreSQL StatefulSets (`eafix-postgres`, `eafix-postgres-replica`). Default true. */
  postgres?: boolean;
  /** Install Velero's Backup/Restore CRDs and the `velero` namespace. Default true. */
  velero?: boolean;
}
