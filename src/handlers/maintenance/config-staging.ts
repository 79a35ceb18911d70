/**
 * What production's approval rests on: the `config change` run that applied the same configuration to
 * staging and passed its tests there. Read from the run store (the record of what happened), and from
 * staging's live ConfigMap (staging must still hold what was tested).
 */
import { AppError } from '../../app-error.ts';
import type { ActionDeps } from '../core/action-deps.ts';
import { STAGING, dataDigest, liveConfigMapName } from './config-versions.ts';

/** The staging steps whose success production's approval needs, in order. */
export const STAGING_STEPS = ['validate', 'stage', 'test-staging'] as const;

export interface StagingRunRef {
  service: string;
  fromConfigmap: string;
  stagingRun: string;
}

export interface StagingEvidence {
  /** One line per staging step: its title and what it found. */
  results: string[];
  /** The digest of the configuration staging tested. */
  digest: string;
}

const refuse = (message: string, hint?: string): never => {
  throw new AppError('config_staging_not_passed', message, {
    hints: [
      hint ?? 'Run `/eafix config change <service> --from-configmap=<name> --reason "…"`: it tests in staging first.',
    ],
  });
};

/**
 * The staging results of `ref.stagingRun`, refused unless that run is a configuration change of the same
 * service and source, asked for by `requester` (the requester of production must be the one who staged
 * it, so a second person is always needed), whose staging steps all succeeded, and staging still runs it.
 */
export async function stagingEvidence(
  deps: Pick<ActionDeps, 'runs' | 'cluster' | 'topology'>,
  ref: StagingRunRef,
  requester: string,
): Promise<StagingEvidence> {
  const run = await deps.runs.get(ref.stagingRun);
  if (!run || run.action !== 'config change') return refuse(`\`${ref.stagingRun}\` is not a configuration change run.`);
  const input = run.input as Partial<StagingRunRef> & { approvedDigest?: string };
  if (input.service !== ref.service || input.fromConfigmap !== ref.fromConfigmap)
    return refuse(
      `Run \`${run.id}\` staged ${input.fromConfigmap ?? '?'} for ${input.service ?? '?'}, not ${ref.fromConfigmap} for ${ref.service}.`,
    );
  if (run.requestedBy !== requester)
    return refuse(
      `Only <@${run.requestedBy}>, who staged this change, may ask to apply it to production.`,
      'A second person then approves it; that is the two-person rule.',
    );
  const results = STAGING_STEPS.map((id) => {
    const step = run.steps.find((s) => s.stepId === id);
    if (step?.status !== 'succeeded')
      return refuse(
        `Run \`${run.id}\` did not pass staging: ${step?.title ?? id} is ${step?.status ?? 'missing'}. Nothing goes to production.`,
      );
    return `${step.title}: ${step.summary ?? 'passed'}`;
  });
  const live = liveConfigMapName(deps.topology, ref.service);
  const staged = await deps.cluster.getConfigMap(STAGING, live);
  const digest = staged ? dataDigest(staged.data) : '';
  if (!staged || (input.approvedDigest && digest !== input.approvedDigest))
    return refuse(`Staging's ${live} no longer holds the configuration run \`${run.id}\` tested.`);
  return { results, digest };
}
