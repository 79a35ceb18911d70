/**
 * After SIGTERM the process exits within this long, whatever it is doing: the run worker gives its step
 * up to 10 s to reach a checkpoint, then abandons it to another worker. Kubernetes'
 * terminationGracePeriodSeconds (deploy/kubernetes) must be longer; a test checks it.
 */
export const SHUTDOWN_DEADLINE_MS = 15_000;
