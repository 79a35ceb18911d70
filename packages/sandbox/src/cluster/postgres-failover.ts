/**
 * The runbook's DR scenario 1 in the simulator: a primary database failure (`failPrimary`) makes the
 * platform's database unreachable until the `eafix-postgres` Service selects only ready pods running as
 * primary (POSTGRES_ROLE=primary) outside the failed StatefulSet: the replica promoted and the Service
 * repointed. Until then `database ping` and `database verify` fail.
 */
import { isPodReady } from './pods.ts';
import type { Platform } from './platform-state.ts';
import { matchLabels } from './selectors.ts';
import type { Store } from './store.ts';
import type { Pod, Service } from './types.ts';

const SERVICE = 'eafix-postgres';

export class PostgresFailover {
  constructor(
    private readonly store: Store,
    private readonly platform: Platform,
  ) {}

  /** The primary of `statefulSet` fails: its database stops answering. */
  failPrimary(namespace: string, statefulSet = 'eafix-postgres'): void {
    this.platform.update(namespace, (p) => Object.assign(p, { databaseHealthy: false, failedPrimary: statefulSet }));
  }

  tick(): void {
    // By name first: parsing every Service on every tick was most of an idle simulator's CPU.
    for (const { namespace, name } of this.store.versions('services')) {
      if (name !== SERVICE) continue;
      const ns = namespace ?? 'default';
      const failed = this.platform.state(ns).failedPrimary;
      if (!failed) continue;
      const service = this.store.get<Service>('services', namespace, name);
      if (!service) continue;
      const selected = this.store
        .list<Pod>('pods', ns)
        .filter((p) => !p.metadata.deletionTimestamp && matchLabels(service.spec.selector, p.metadata.labels));
      const ready = selected.filter(isPodReady);
      const ownedByFailed = (p: Pod) => p.metadata.ownerReferences?.some((o) => o.name === failed) === true;
      const primary = (p: Pod) =>
        p.spec.containers.some((c) =>
          ((c.env ?? []) as { name: string; value?: string }[]).some(
            (e) => e.name === 'POSTGRES_ROLE' && e.value === 'primary',
          ),
        );
      if (ready.length > 0 && !selected.some(ownedByFailed) && ready.every(primary))
        this.platform.update(ns, (p) => Object.assign(p, { databaseHealthy: true, failedPrimary: undefined }));
    }
  }
}
