import { z } from 'zod';
import { k8sName } from '../../config/topology.ts';
import { namespaceFor } from '../../cluster/cluster-targets.ts';
import { reasonInput, serviceInput } from '../core/cluster-inputs.ts';
import { defineAction } from '../core/define-action.ts';
import { configDiff, diffText } from './config-diff.ts';
import {
  applyProductionStep,
  keepPreviousStep,
  readProposed,
  restartSteps,
  stageStep,
  testStagingStep,
  validateStep,
  verifyStep,
  type ConfigSource,
} from './config-steps.ts';
import { PRODUCTION, STAGING, dataDigest, liveConfigMapName } from './config-versions.ts';

const input = z.object({
  service: serviceInput,
  fromConfigmap: k8sName.describe('the ConfigMap holding the proposed configuration, in production’s namespace'),
  reason: reasonInput,
  approvedDigest: z
    .string()
    .optional()
    .describe('set from the approved plan (the proposed data’s digest); leave it out'),
});
type Input = z.infer<typeof input>;

const source: ConfigSource<Input> = (i) => i.fromConfigmap;

export const configChange = defineAction({
  id: 'config change',
  kind: 'planned',
  chapter: 'Maintenance',
  summary:
    'Change a service’s configuration (runbook: Standard Configuration Change Process): validate, staging and its tests, then production with a second person’s approval, verify, restart',
  positional: ['service'],
  input,
  risk: 'destructive',
  approval: 'two-person',
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
        change: { configMap: live, source: proposed.name, digest },
      },
      { description: `eafix-cli config validate --service=${i.service} --configmap=${proposed.name}` },
      { description: `apply to ${staging}, then eafix-cli test config --namespace=${staging}` },
      { description: `keep the current ${live} as ${live}-before-<change id>, then apply to production` },
      { description: `eafix-cli config verify --service=${i.service}; rollout restart unless it reloads config` },
    ];
  },
  runInput: (i, plan) => ({ ...i, approvedDigest: String(plan[0]?.change?.['digest'] ?? '') || undefined }),
  target: (i) => `service:${PRODUCTION}/${i.service}`,
  steps: [
    validateStep(source),
    stageStep(source),
    testStagingStep(),
    keepPreviousStep(),
    applyProductionStep(source),
    verifyStep(),
    ...restartSteps<Input>(),
  ],
});
