import { z } from 'zod';
import { k8sName } from '../../config/topology.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import { reasonInput, serviceInput } from '../core/cluster-inputs.ts';
import { defineAction } from '../core/define-action.ts';
import { configDiff, diffText } from './config-diff.ts';
import { requestProductionStep } from './config-production-request.ts';
import { diffStep, readProposed, stageStep, testStagingStep, validateStep, type ConfigSource } from './config-steps.ts';
import { describeStagingFailure } from './config-staging-failure.ts';
import { PRODUCTION, STAGING, dataDigest, liveConfigMapName } from './config-versions.ts';
import { SET_BY_PLAN } from '../core/action-fields.ts';
import { serviceTarget, withPlannedService } from '../core/service-target.ts';
import { resolveTarget } from '../../cluster/cluster-targets.ts';

const input = z.object({
  service: serviceInput,
  fromConfigmap: k8sName.describe('the ConfigMap holding the proposed configuration, in production’s namespace'),
  reason: reasonInput,
  approvedDigest: z
    .string()
    .optional()
    .describe('the proposed data’s digest: staging and production apply exactly that')
    .meta(SET_BY_PLAN),
});
type Input = z.infer<typeof input>;

const source: ConfigSource<Input> = (i) => i.fromConfigmap;

/**
 * The runbook's Standard Configuration Change Process, its staging half as this run: show the diff,
 * validate, apply to staging, test there, then ask for production's two-person approval (`config
 * promote`, whose approval message is the change request). Staging needs no second person: the runbook
 * makes it the test step before the change request, and nothing it does reaches production. A staging
 * failure ends the run before production is asked for, and says so.
 */
export const configChange = defineAction({
  id: 'config change',
  kind: 'planned',
  chapter: 'Maintenance',
  summary:
    'Change a service’s configuration (runbook: Standard Configuration Change Process): diff, validate, staging and its tests, then a second person approves production, verify, restart',
  positional: ['service'],
  input,
  risk: 'change',
  approval: 'none',
  permission: 'maintenance.config.change',
  examples: ['config change risk-manager --from-configmap=risk-manager-config-next --reason "raise position limits"'],
  plan: async (i, { deps }) => {
    const live = liveConfigMapName(deps.topology, i.service);
    const proposed = await readProposed(deps, i, source);
    const current = await deps.cluster.getConfigMap(PRODUCTION, live);
    const diff = await configDiff(current?.data ?? {}, proposed.data);
    const digest = dataDigest(proposed.data);
    const staging = namespaceFor(deps.topology, STAGING);
    return [
      {
        description: `configmap ${live}${current ? '' : ' (new)'} ← ${proposed.name}, ${diff.changedKeys.length} key(s) changed:\n${diffText(diff)}`,
        change: {
          configMap: live,
          service: resolveTarget(deps.topology, i.service).name,
          source: proposed.name,
          digest,
        },
      },
      { description: `eafix-cli config validate --service=${i.service} --configmap=${proposed.name}` },
      { description: `apply to ${staging}, then eafix-cli test config --namespace=${staging}` },
      { description: `ask a second person to approve production with the staging results (the change request)` },
    ];
  },
  // The service as the plan resolved it (a deployment's name typed is the same target), and the digest approved.
  runInput: (i, plan) =>
    withPlannedService({ ...i, approvedDigest: String(plan[0]?.change?.['digest'] ?? '') || undefined }, plan),
  target: (i) => serviceTarget({ environment: STAGING, service: i.service }),
  steps: [diffStep(source), validateStep(source), stageStep(source), testStagingStep(), requestProductionStep<Input>()],
  describeFailure: (context) => Promise.resolve(describeStagingFailure(context)),
});
