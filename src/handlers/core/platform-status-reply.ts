import type { ActionContext } from './define-action.ts';
import { maintenanceWord, platformStatusFromCli, tradingWord } from './platform-status.ts';
import { context, section, type Reply } from './reply.ts';

/** `trading status` / `maintenance status`: what the platform's own `eafix-cli status` answers now. */
export async function platformStatusReply(
  what: 'trading' | 'maintenance',
  environment: string,
  { deps, requestId, invoker }: ActionContext,
): Promise<Reply> {
  const status = await platformStatusFromCli(
    { requestId, requestedBy: invoker.userId, deps },
    environment,
    `${what}-status`,
  );
  const line =
    what === 'trading'
      ? `${status.trading === 'on' ? ':large_green_circle:' : status.trading === 'off' ? ':octagonal_sign:' : ':grey_question:'} Trading in ${environment}: *${tradingWord(status.trading)}*`
      : `${status.maintenance === 'on' ? ':construction:' : ':white_check_mark:'} Maintenance mode in ${environment}: *${maintenanceWord(status.maintenance)}*${status.maintenanceMessage ? ` ("${status.maintenanceMessage}")` : ''}`;
  const extra = [
    status.database ? `database ${status.database}` : undefined,
    status.site ? `site ${status.site}` : undefined,
    status.reason,
  ].filter((x): x is string => x !== undefined);
  const note = `Answered by the platform's ${status.source}${extra.length ? ` · ${extra.join(' · ')}` : ''}`;
  return { text: line, blocks: [section(line), context(note)] };
}
