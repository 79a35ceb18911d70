import { z } from 'zod';
import { k8sName } from '../../config/topology.ts';
import { reasonInput, serviceInput } from '../core/cluster-inputs.ts';
import { defineAction } from '../core/define-action.ts';
import { configDiff, diffText } from './config-diff.ts';
import { stagingEvidence } from './config-staging.ts';
import {
  applyProductionStep,
  keepPreviousStep,
  readProposed,
  restartSteps,
  verifyStep,
  type ConfigSource,
} from './config-steps.ts';
import { PRODUCTION, liveConfigMapName } from './config-versions.ts';
import { SET_BY_PLAN } from '../core/action-fields.ts';
import { serviceTarget, withPlannedService } from '../core/service-target.ts';
import { resolveTarget } from '../../cluster/cluster-targets.ts';

export const configPromoteInput = z.object({
  service: serviceInput,
  fromConfigmap: k8sName.describe('the ConfigMap holding the proposed configuration, in production’s namespace'),
  stagingRun: z
    .string()
    .regex(/^run_[0-9a-f]+$/, 'must be the run id of the `config change` that passed staging, e.g. run_1a2b3c4d5e6f')
    .describe('the `config change` run that passed staging'),
  reason: reasonInput,
  approvedDigest: z.string().optional().describe('the proposed data’s digest').meta(SET_BY_PLAN),
});
export type ConfigPromoteInput = z.infer<typeof configPromoteInput>;

const source: ConfigSource<ConfigPromoteInput> = (i) => i.fromConfigmap;

/**
 * The production half of the Standard Configuration Change Process: its approval message is the change
 * request (its id goes on the ConfigMap). `config change` asks for it by itself once staging passed;
 * typed by hand it asks again (after a rejection or expiry), only for the person who staged the change.
 */
export const configPromote = defineAction({
  id: 'config promote',
  kind: 'planned',
  chapter: 'Maintenance',
  summary:
    'Apply a configuration change that passed staging to production (the change request): a second person approves, then verify and restart',
  positional: ['service', 'stagingRun'],
  input: configPromoteInput,
  risk: 'destructive',
  approval: 'two-person',
  permission: 'maintenance.config.change',
  examples: [
    'config promote risk-manager run_1a2b3c4d5e6f --from-configmap=risk-manager-config-next --reason "raise position limits"',
  ],
  plan: async (i, { deps, invoker }) => {
    const staging = await stagingEvidence(deps, i, invoker.userId);
    const proposed = await readProposed(deps, { ...i, approvedDigest: i.approvedDigest ?? staging.digest }, source);
    const live = liveConfigMapName(deps.topology, i.service);
    const current = await deps.cluster.getConfigMap(PRODUCTION, live);
    const diff = await configDiff(current?.data ?? {}, proposed.data);
    return [
      {
        description: `configmap ${live}${current ? '' : ' (new)'} in ${PRODUCTION} ← ${proposed.name}, ${diff.changedKeys.length} key(s) changed:\n${diffText(diff)}`,
        change: {
          configMap: live,
          service: resolveTarget(deps.topology, i.service).name,
          source: proposed.name,
          digest: staging.digest,
        },
      },
      {
        description: `staging passed (run ${i.stagingRun}):\n${staging.results.map((r) => `  ${r}`).join('\n')}`,
        change: { stagingRun: i.stagingRun },
      },
      {
        description: `keep the current ${live} as ${live}-before-<this change request's id>, then apply to production`,
      },
      { description: `eafix-cli config verify --service=${i.service}; rollout restart unless it reloads config` },
    ];
  },
  // The service as the plan resolved it (a deployment's name typed is the same target), and the digest approved.
  runInput: (i, plan) =>
    withPlannedService({ ...i, approvedDigest: String(plan[0]?.change?.['digest'] ?? '') || undefined }, plan),
  target: (i) => serviceTarget({ environment: PRODUCTION, service: i.service }),
  steps: [keepPreviousStep(), applyProductionStep(source), verifyStep(), ...restartSteps<ConfigPromoteInput>()],
});
