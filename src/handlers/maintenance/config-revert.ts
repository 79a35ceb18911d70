import { z } from 'zod';
import { reasonInput, serviceInput } from '../core/cluster-inputs.ts';
import { defineAction } from '../core/define-action.ts';
import { configDiff, diffText } from './config-diff.ts';
import {
  applyProductionStep,
  keepPreviousStep,
  readProposed,
  restartSteps,
  verifyStep,
  type ConfigSource,
} from './config-steps.ts';
import { PRODUCTION, dataDigest, keptConfigMapName, liveConfigMapName, normaliseChangeId } from './config-versions.ts';
import { SET_BY_PLAN } from '../core/action-fields.ts';
import { serviceTarget, withPlannedService } from '../core/service-target.ts';
import { resolveTarget } from '../../cluster/cluster-targets.ts';

const input = z.object({
  service: serviceInput,
  changeId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{3,80}$/, 'must be a change id from `config history`, e.g. apr_0123456789ab')
    .describe('the change to undo (from `/eafix config history`)'),
  reason: reasonInput,
  approvedDigest: z.string().optional().describe('the proposed data’s digest').meta(SET_BY_PLAN),
});
type Input = z.infer<typeof input>;

// The version a change replaced was kept under that change's id.
const source: ConfigSource<Input> = (i, deps) =>
  keptConfigMapName(liveConfigMapName(deps.topology, i.service), normaliseChangeId(i.changeId));

/**
 * Restores the configuration a change replaced. No staging pass: that version already ran in production.
 * The version being replaced is itself kept, so a revert can be reverted.
 */
export const configRevert = defineAction({
  id: 'config revert',
  kind: 'planned',
  chapter: 'Maintenance',
  summary: 'Restore the configuration a change replaced (kept version), verify and restart; needs a second person',
  positional: ['service', 'changeId'],
  input,
  risk: 'destructive',
  approval: 'two-person',
  permission: 'maintenance.config.revert',
  examples: ['config revert risk-manager apr_0123456789ab --reason "new limits reject orders"'],
  plan: async (i, { deps }) => {
    const live = liveConfigMapName(deps.topology, i.service);
    const kept = await readProposed(deps, i, source);
    const current = await deps.cluster.getConfigMap(PRODUCTION, live);
    const diff = await configDiff(current?.data ?? {}, kept.data);
    return [
      {
        description: `configmap ${live} ← ${kept.name} (before change ${normaliseChangeId(i.changeId)}), ${diff.changedKeys.length} key(s) changed:\n${diffText(diff)}`,
        change: {
          configMap: live,
          service: resolveTarget(deps.topology, i.service).name,
          source: kept.name,
          digest: dataDigest(kept.data),
        },
      },
      { description: `keep the current ${live} as ${live}-before-<this change id>, then apply` },
      { description: `eafix-cli config verify --service=${i.service}; rollout restart unless it reloads config` },
    ];
  },
  // The service as the plan resolved it (a deployment's name typed is the same target), and the digest approved.
  runInput: (i, plan) =>
    withPlannedService({ ...i, approvedDigest: String(plan[0]?.change?.['digest'] ?? '') || undefined }, plan),
  target: (i) => serviceTarget({ environment: PRODUCTION, service: i.service }),
  steps: [keepPreviousStep(), applyProductionStep(source), verifyStep(), ...restartSteps<Input>()],
});
