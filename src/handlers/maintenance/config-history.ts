import { z } from 'zod';
import { serviceInput } from '../core/cluster-inputs.ts';
import { defineAction } from '../core/define-action.ts';
import { sections } from '../core/reply.ts';
import { CHANGE_ANNOTATIONS } from '../../cluster/change-annotations.ts';
import { CONFIG_ANNOTATIONS, CONFIG_LABELS, PRODUCTION, keptVersions, liveConfigMapName } from './config-versions.ts';

const MAX_SHOWN = 20;

export const configHistory = defineAction({
  id: 'config history',
  kind: 'query',
  chapter: 'Maintenance',
  summary: 'A service’s configuration changes in production and the previous versions kept (for config revert)',
  positional: ['service'],
  input: z.object({ service: serviceInput }),
  risk: 'read',
  permission: 'cluster.read',
  examples: ['config history risk-manager'],
  run: async ({ service }, { deps }) => {
    const live = liveConfigMapName(deps.topology, service);
    const [current, kept] = await Promise.all([
      deps.cluster.getConfigMap(PRODUCTION, live),
      deps.cluster.listConfigMaps(PRODUCTION, `${CONFIG_LABELS.of}=${service}`),
    ]);
    const versions = keptVersions(kept);
    const now = current
      ? `Live: \`${live}\`, last change \`${current.annotations[CONFIG_ANNOTATIONS.changeId] ?? 'unknown'}\` by ${who(current.annotations)} at ${current.annotations[CHANGE_ANNOTATIONS.changedAt] ?? 'an unknown time'}`
      : `No live ConfigMap \`${live}\` in ${PRODUCTION}.`;
    const lines = versions.slice(0, MAX_SHOWN).map((cm) => {
      const id = cm.labels[CONFIG_LABELS.changeId] ?? '?';
      const reason = cm.annotations[CHANGE_ANNOTATIONS.reason] ?? '';
      return `• change \`${id}\` by ${who(cm.annotations)} at ${cm.annotations[CHANGE_ANNOTATIONS.changedAt] ?? '?'}: ${reason} — previous version kept as \`${cm.name}\``;
    });
    const more = versions.length > MAX_SHOWN ? [`…and ${versions.length - MAX_SHOWN} older`] : [];
    const text = [
      `*Configuration of ${service}* (${PRODUCTION})`,
      now,
      ...(lines.length ? lines : ['No earlier changes kept.']),
      ...more,
      ...(lines.length ? [`Undo one with \`/eafix config revert ${service} <change id> --reason "…"\``] : []),
    ].join('\n');
    return { text, blocks: sections(text) };
  },
});

function who(annotations: Record<string, string>): string {
  const user = annotations[CHANGE_ANNOTATIONS.changedBy];
  return user ? `<@${user}>` : 'someone';
}
