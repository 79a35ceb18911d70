import type { AnyAction } from './define-action.ts';
import { help } from './bot/help.ts';
import { version } from './bot/version.ts';
import { whoami } from './bot/whoami.ts';
import { approvalsList } from './approvals/approvals-list.ts';
import { approvalsHistory } from './approvals/approvals-history.ts';
import { approvalsReview } from './approvals/approvals-review.ts';
import { auditVerify } from './audit/audit-verify.ts';
import { auditExport } from './audit/audit-export.ts';
import { tradingStop } from './trading/trading-stop.ts';
import { tradingStart } from './trading/trading-start.ts';
import { maintenanceEnable } from './maintenance/maintenance-enable.ts';
import { maintenanceDisable } from './maintenance/maintenance-disable.ts';

/** Every runbook action the bot serves. Adding an action is one file and one line here. */
export const allActions: readonly AnyAction[] = [
  help,
  version,
  whoami,
  approvalsList,
  approvalsHistory,
  approvalsReview,
  auditVerify,
  auditExport,
  tradingStop,
  tradingStart,
  maintenanceEnable,
  maintenanceDisable,
];
