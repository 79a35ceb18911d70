/**
 * The simulated EAFIX platform behind the toolbox Jobs: per namespace, whether trading runs, whether
 * maintenance mode is on and whether the database answers. `eafix-cli` behaviours read and change it,
 * so `trading stop` in a Job really stops trading as far as `eafix-cli status` (and any emulator
 * listening for changes, e.g. Prometheus' `eafix_trading_enabled`) can tell.
 */
import { EventEmitter } from 'node:events';

export interface PlatformState {
  tradingEnabled: boolean;
  maintenance: boolean;
  maintenanceMessage?: string;
  databaseHealthy: boolean;
  /** Which site serves this namespace's traffic (`dr` after a DR activation). */
  site: 'primary' | 'dr';
  /** The PostgreSQL StatefulSet whose primary has failed (the runbook's DR scenario 1), until a failover. */
  failedPrimary?: string;
  /** Manifest sources server-side applied since the last change to them (`kubectl apply --server-side -f`). */
  appliedManifests?: string[];
}

const INITIAL: PlatformState = { tradingEnabled: true, maintenance: false, databaseHealthy: true, site: 'primary' };

export class Platform extends EventEmitter<{ change: [namespace: string, state: PlatformState] }> {
  private readonly states = new Map<string, PlatformState>();

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  /** A copy of the namespace's state (the initial one for a namespace never touched). */
  state(namespace: string): PlatformState {
    return { ...(this.states.get(namespace) ?? INITIAL) };
  }

  update(namespace: string, edit: (state: PlatformState) => void): PlatformState {
    const next = this.state(namespace);
    edit(next);
    this.states.set(namespace, next);
    this.emit('change', namespace, { ...next });
    return { ...next };
  }
}
