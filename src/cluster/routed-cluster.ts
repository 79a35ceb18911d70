/**
 * Environments in different clusters (a DR site is another data centre): every operation on an
 * environment goes to the cluster it lives in, so acting on `dr` never waits on, or writes to, the
 * primary cluster. Operations without an environment (Velero, scratch namespaces) go to the bot's own.
 */
import type { Cluster } from './cluster.ts';

export function routeByEnvironment(home: Cluster, sites: ReadonlyMap<string, Cluster>): Cluster {
  if (sites.size === 0) return home;
  const at = (environment: string) => sites.get(environment) ?? home;
  return {
    status: (env, read) => at(env).status(env, read),
    liveColour: (env, read) => at(env).liveColour(env, read),
    switchTraffic: (env, colour, change) => at(env).switchTraffic(env, colour, change),
    setColourImage: (env, colour, target, change) => at(env).setColourImage(env, colour, target, change),
    scale: (env, target, replicas, change, options) => at(env).scale(env, target, replicas, change, options),
    restart: (env, target, change, options) => at(env).restart(env, target, change, options),
    waitForRollout: (env, target, options) => at(env).waitForRollout(env, target, options),
    waitForPodsReady: (env, selector, options) => at(env).waitForPodsReady(env, selector, options),
    gatewayEndpoints: (env) => at(env).gatewayEndpoints(env),
    listPods: (env, target) => at(env).listPods(env, target),
    podLogs: (env, target, options) => at(env).podLogs(env, target, options),
    recentEvents: (env, options) => at(env).recentEvents(env, options),
    accessReview: (env, checks, options) => at(env).accessReview(env, checks, options),
    runJob: (env, job, options) => at(env).runJob(env, job, options),
    listJobs: (env, selector) => at(env).listJobs(env, selector),
    cancelJob: (env, name, change) => at(env).cancelJob(env, name, change),
    listCertificates: (env) => at(env).listCertificates(env),
    getConfigMap: (env, name) => at(env).getConfigMap(env, name),
    listConfigMaps: (env, selector) => at(env).listConfigMaps(env, selector),
    putConfigMap: (env, write, change) => at(env).putConfigMap(env, write, change),
    createBackup: (request) => home.createBackup(request),
    getBackup: (name) => home.getBackup(name),
    listBackups: (selector) => home.listBackups(selector),
    waitForBackup: (name, options) => home.waitForBackup(name, options),
    createRestore: (request) => home.createRestore(request),
    getRestore: (name) => home.getRestore(name),
    waitForRestore: (name, options) => home.waitForRestore(name, options),
    getStatefulSet: (env, name) => at(env).getStatefulSet(env, name),
    scaleStatefulSet: (env, name, replicas, change) => at(env).scaleStatefulSet(env, name, replicas, change),
    setStatefulSetEnv: (env, name, container, values, change) =>
      at(env).setStatefulSetEnv(env, name, container, values, change),
    setServiceSelector: (env, service, selector, change) => at(env).setServiceSelector(env, service, selector, change),
    namespacePhase: (name) => home.namespacePhase(name),
    deleteScratchNamespace: (name, change, options) => home.deleteScratchNamespace(name, change, options),
  };
}
