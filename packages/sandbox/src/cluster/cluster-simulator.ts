/**
 * ClusterSimulator: a Kubernetes-shaped API on 127.0.0.1 for the sandbox and
 * end-to-end tests, driven by the real @kubernetes/client-node.
 *
 * Time: a real-timer reconcile loop every `timing.tickMs`, reading a clock of
 * `now() + offset`. `advance(ms)` moves that clock forward and reconciles at
 * once, so long waits (progress deadlines, log history) need no sleeping.
 */
import { EventEmitter } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Topology } from '../bot.ts';
import type { AccessControl, AccessRule } from './access.ts';
import { setCertificate, type CertificateState } from './cert-manager.ts';
import { assembleCluster, namespaceOf, seedStartingState } from './cluster-assembly.ts';
import type { ClusterSimulatorOptions } from './cluster-options.ts';
import type { Controller } from './controller.ts';
import type { ApiErrorRule, Failures, RequestMatch } from './failures.ts';
import { buildKubeConfig, kubeconfigYaml } from './kubeconfig.ts';
import { parseLabelSelector } from './selectors.ts';
import type { ApiServer, DownMode, RecordedRequest, RecordedWrite } from './server.ts';
import type { Store } from './store.ts';
import { resolveTiming, type Timing } from './timing.ts';
import type { ClusterTls } from './tls.ts';
import type { ConfigMap, CoreEvent, Deployment, Endpoints, Pod, Service, StoreChange } from './types.ts';
import { waitForCondition, type WaitForOptions } from './wait-for-condition.ts';
import type { Workloads } from './workloads.ts';

export type { ClusterSimulatorOptions } from './cluster-options.ts';
export type { WaitForOptions } from './wait-for-condition.ts';

export class ClusterSimulator extends EventEmitter<{ change: [StoreChange] }> {
  readonly topology: Topology;
  readonly timing: Timing;
  /** Errors thrown by the reconcile loop (should stay empty). */
  readonly controllerErrors: Error[] = [];
  private offsetMs = 0;
  private readonly baseNow: () => number;
  private readonly store: Store;
  private readonly failures: Failures;
  private readonly access: AccessControl;
  private readonly controller: Controller;
  /** Jobs, StatefulSets, Velero, namespaces: see also the workload methods below. */
  readonly workloads: Workloads;
  private readonly server: ApiServer;
  private readonly token: string | undefined;
  private readonly tls: ClusterTls | undefined;
  private loop: NodeJS.Timeout | undefined;

  constructor(opts: ClusterSimulatorOptions) {
    super();
    this.setMaxListeners(0);
    this.topology = opts.topology;
    this.timing = resolveTiming(opts.timing);
    this.baseNow = opts.now ?? Date.now;
    this.token = opts.token;
    const parts = assembleCluster(opts, this.timing, () => this.now());
    this.store = parts.store;
    this.failures = parts.failures;
    this.access = parts.access;
    this.controller = parts.controller;
    this.workloads = parts.workloads;
    this.server = parts.server;
    this.tls = parts.tls;
    this.store.on('change', (c) => this.emit('change', c));
    seedStartingState(parts, opts, () => this.now());
    this.tick();
  }

  /** Creates or replaces a cert-manager Certificate (expiry, readiness) as cert-manager would report it. */
  setCertificate(namespace: string, name: string, state: CertificateState): void {
    setCertificate(this.store, namespace, name, state, this.now());
  }

  /** The simulator's clock (ms since epoch), including `advance()`d time. */
  now(): number {
    return this.baseNow() + this.offsetMs;
  }

  async start(port = 0): Promise<void> {
    await this.server.start(port);
    this.loop = setInterval(() => this.tick(), this.timing.tickMs);
    this.loop.unref();
  }

  /** Stops the loop and closes the listener, watches and keep-alive sockets. */
  async stop(): Promise<void> {
    if (this.loop) clearInterval(this.loop);
    this.loop = undefined;
    await this.server.stop();
  }

  get url(): string {
    return this.server.url;
  }

  kubeConfig(namespace?: string): KubeConfig {
    return buildKubeConfig({ server: this.url, token: this.token, namespace, caPem: this.tls?.caPem });
  }

  kubeconfigYaml(namespace?: string): string {
    return kubeconfigYaml({ server: this.url, token: this.token, namespace, caPem: this.tls?.caPem });
  }

  /** PEM of the CA behind the HTTPS listener (undefined over plain HTTP). */
  get caPem(): string | undefined {
    return this.tls?.caPem;
  }

  /** Runs one reconcile pass now. */
  tick(): void {
    try {
      this.controller.tick();
      this.workloads.tick(this.now());
    } catch (err) {
      this.controllerErrors.push(err as Error);
    }
  }

  /** Moves simulated time forward and reconciles. */
  advance(ms: number): void {
    this.offsetMs += ms;
    this.tick();
  }

  // ---- observability -------------------------------------------------------

  get requests(): readonly RecordedRequest[] {
    return this.server.requests;
  }

  get writes(): readonly RecordedWrite[] {
    return this.server.writes;
  }

  namespaceOf(environment: string): string {
    return namespaceOf(this.topology, environment);
  }

  getDeployment(namespace: string, name: string): Deployment | undefined {
    return this.store.get<Deployment>('deployments', namespace, name);
  }

  getService(namespace: string, name: string): Service | undefined {
    return this.store.get<Service>('services', namespace, name);
  }

  getEndpoints(namespace: string, name: string): Endpoints | undefined {
    return this.store.get<Endpoints>('endpoints', namespace, name);
  }

  getPod(namespace: string, name: string): Pod | undefined {
    return this.store.get<Pod>('pods', namespace, name);
  }

  /** Pods in a namespace, optionally filtered by a label selector string (`app=x,version!=blue`). */
  listPods(namespace: string, labelSelector?: string): Pod[] {
    const match = parseLabelSelector(labelSelector);
    return this.store.list<Pod>('pods', namespace).filter((p) => match(p.metadata.labels));
  }

  getConfigMap(namespace: string, name: string): ConfigMap | undefined {
    return this.store.get<ConfigMap>('configmaps', namespace, name);
  }

  /** Creates or replaces a ConfigMap (a proposed configuration, a service's live one). */
  putConfigMap(namespace: string, name: string, data: Record<string, string>, annotations?: Record<string, string>) {
    const current = this.getConfigMap(namespace, name);
    const metadata = { ...current?.metadata, name, namespace, ...(annotations ? { annotations } : {}) };
    const object: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
    return current ? this.store.update('configmaps', object) : this.store.create('configmaps', object);
  }

  listEvents(namespace: string): CoreEvent[] {
    return this.store.list<CoreEvent>('events', namespace);
  }

  /** Resolves once `predicate` holds: checked now, on every change and every tick. */
  waitFor(predicate: () => boolean, opts: WaitForOptions = {}): Promise<void> {
    return waitForCondition(this, this.timing.tickMs, predicate, opts);
  }

  /** Resolves when every deployment has converged or is stuck on an injected failure. */
  settle(opts: { timeoutMs?: number } = {}): Promise<void> {
    const unsettled = () => this.store.list<Deployment>('deployments').filter((d) => !this.controller.isSettled(d));
    return this.waitFor(() => unsettled().length === 0, {
      timeoutMs: opts.timeoutMs ?? 10_000,
      description: () =>
        `deployments to settle: ${unsettled()
          .map((d) => `${d.metadata.namespace}/${d.metadata.name}`)
          .join(', ')}`,
    });
  }

  // ---- failure injection ---------------------------------------------------

  /** Containers of this deployment crash on start (existing pods included). */
  injectCrashLoop(namespace: string, deployment: string): void {
    this.failures.injectPodFailure(namespace, deployment, 'crashLoop', this.now());
    this.tick();
  }

  /** Pods created from now on cannot pull their image. */
  injectImagePullError(namespace: string, deployment: string): void {
    this.failures.injectPodFailure(namespace, deployment, 'imagePull', this.now());
  }

  /** Pods created from now on stay Pending (unschedulable): rollouts hit ProgressDeadlineExceeded. */
  injectProgressDeadline(namespace: string, deployment: string): void {
    this.failures.injectPodFailure(namespace, deployment, 'progressDeadline', this.now());
  }

  injectApiError(rule: ApiErrorRule): void {
    this.failures.injectApiError(rule);
  }

  /** The next matching request is carried out, but its answer is lost (the connection is cut). */
  loseAnswer(match: RequestMatch, times = 1): void {
    this.failures.loseAnswer(match, times);
  }

  /** Runs `run` just before the next matching request is handled (e.g. a concurrent write). */
  beforeNextRequest(match: RequestMatch, run: () => void): void {
    this.failures.beforeNext(match, run);
  }

  /** Changes a stored deployment as another writer would (a new resourceVersion, a watch event). */
  editDeployment(namespace: string, name: string, edit: (d: Deployment) => void): Deployment {
    const d = this.store.get<Deployment>('deployments', namespace, name);
    if (!d) throw new Error(`no deployment ${namespace}/${name}`);
    edit(d);
    const updated = this.store.update('deployments', d);
    this.tick();
    return updated;
  }

  setLatency(ms: number, options?: { pathIncludes?: string }): void {
    this.failures.setLatency(ms, options);
  }

  goDown(mode: DownMode = 'refuse'): Promise<void> {
    return this.server.goDown(mode);
  }

  comeUp(): Promise<void> {
    return this.server.comeUp();
  }

  /** Removes pod failures (pods recover), API errors and latency. Access rules are kept. */
  clearFailures(): void {
    this.failures.clear();
    this.tick();
  }

  denyAccess(rule: AccessRule): void {
    this.access.deny(rule);
  }

  clearAccessRules(): void {
    this.access.clear();
  }
}
