/**
 * Where each environment lives (policy `kubernetes.sites`): a DR site is another cluster, so status, the
 * digest and doctor say which one they are talking about, and doctor checks every cluster the bot uses.
 */
export interface ClusterSites {
  /** How an environment's cluster is named to people: its kubeconfig context, or the bot's own cluster. */
  nameOf(environment: string): string;
  /** One environment per other cluster (the first the policy lists for each context), to probe it. */
  otherClusters(environment: string): Array<{ environment: string; name: string }>;
  /** `*Cluster:* …` for status and the digest; undefined when every environment is in one cluster. */
  line(environment: string): string | undefined;
}

const OWN = "the bot's own cluster";

export function clusterSites(
  sites: Readonly<Record<string, { context: string }>> | undefined,
  environments: readonly string[],
): ClusterSites {
  const nameOf = (environment: string) => {
    const context = sites?.[environment]?.context;
    return context ? `kube context ${context}` : OWN;
  };
  const otherClusters = (environment: string) => {
    const here = nameOf(environment);
    const seen = new Map<string, string>();
    for (const env of environments) {
      const name = nameOf(env);
      if (name !== here && !seen.has(name)) seen.set(name, env);
    }
    return [...seen].map(([name, env]) => ({ environment: env, name }));
  };
  return {
    nameOf,
    otherClusters,
    line: (environment) => (otherClusters(environment).length > 0 ? `*Cluster:* ${nameOf(environment)}` : undefined),
  };
}
