import type { AnyAction } from './core/define-action.ts';
import { help } from './bot-commands/help.ts';
import { version } from './bot-commands/version.ts';
import { whoami } from './bot-commands/whoami.ts';
import { approvalsList } from './bot-commands/approvals-list.ts';
import { approvalsHistory } from './bot-commands/approvals-history.ts';
import { approvalsReview } from './security/approvals-review.ts';
import { approvalsSignoff } from './security/approvals-signoff.ts';
import { approvalsApprove, approvalsCancel, approvalsReject } from './bot-commands/approval-decisions.ts';
import { runsDecide } from './bot-commands/run-decide.ts';
import { deployForm } from './deployment/deploy-form.ts';
import { auditVerify } from './security/audit-verify.ts';
import { auditExport } from './security/audit-export.ts';
import { tradingStop } from './deployment/trading-stop.ts';
import { tradingStart } from './deployment/trading-start.ts';
import { maintenanceEnable } from './maintenance/maintenance-enable.ts';
import { maintenanceDisable } from './maintenance/maintenance-disable.ts';
import { maintenanceRun } from './maintenance/maintenance-run.ts';
import { maintenanceWindows } from './maintenance/maintenance-windows.ts';
import { status } from './deployment/status.ts';
import { pods } from './troubleshooting/pods.ts';
import { logs } from './troubleshooting/logs.ts';
import { events } from './troubleshooting/events.ts';
import { metricsQuery } from './troubleshooting/metrics-query.ts';
import { scale } from './troubleshooting/scale.ts';
import { restart } from './troubleshooting/restart.ts';
import { rollback } from './deployment/rollback.ts';
import { runsList } from './bot-commands/runs-list.ts';
import { cancel } from './bot-commands/cancel.ts';
import { isolate } from './security/isolate.ts';
import { incidentCreate } from './incidents/incident-create.ts';
import { incidentSetup } from './incidents/incident-setup.ts';
import { incidentUpdate } from './incidents/incident-update.ts';
import { incidentCommander } from './incidents/incident-commander.ts';
import { incidentAck } from './incidents/incident-ack.ts';
import { incidentPhase } from './incidents/incident-phase.ts';
import { incidentContain } from './security/incident-contain.ts';
import { incidentTimeline } from './incidents/incident-timeline.ts';
import { incidentResolve } from './incidents/incident-resolve.ts';
import { incidentsList } from './incidents/incidents-list.ts';
import { digest } from './monitoring/digest.ts';
import { kpis } from './monitoring/kpis.ts';
import { doctor } from './monitoring/doctor.ts';
import { home } from './monitoring/home.ts';
import { contacts } from './security/contacts.ts';
import { contactsPage } from './security/contacts-page.ts';
import { diagnoseService } from './troubleshooting/diagnose-service.ts';
import { diagnoseLatency } from './troubleshooting/diagnose-latency.ts';
import { diagnoseOrders } from './troubleshooting/diagnose-orders.ts';
import { diagnoseDataFeed } from './troubleshooting/diagnose-data-feed.ts';
import { cacheClear } from './troubleshooting/cache-clear.ts';
import { databaseOptimize } from './troubleshooting/database-optimize.ts';
import { brokerReconnect } from './troubleshooting/broker-reconnect.ts';
import { riskLimitsReset } from './troubleshooting/risk-limits-reset.ts';
import { ordersCleanup } from './troubleshooting/orders-cleanup.ts';
import { dataFeedRestart } from './troubleshooting/data-feed-restart.ts';
import { dataFeedSwitch } from './troubleshooting/data-feed-switch.ts';
import { backupCreate } from './disaster-recovery/backup-create.ts';
import { backupList } from './disaster-recovery/backup-list.ts';
import { backupVerify } from './disaster-recovery/backup-verify.ts';
import { rollbackDatabase } from './disaster-recovery/rollback-database.ts';
import { drDrill } from './disaster-recovery/dr-drill.ts';
import { drDrills } from './disaster-recovery/dr-drills.ts';
import { drFailoverDatabase } from './disaster-recovery/dr-failover-database.ts';
import { drActivateSite } from './disaster-recovery/dr-activate-site.ts';
import { tradingStatus } from './deployment/trading-status.ts';
import { maintenanceStatus } from './maintenance/maintenance-status.ts';
import { deploy } from './deployment/deploy.ts';
import { configChange } from './maintenance/config-change.ts';
import { configHistory } from './maintenance/config-history.ts';
import { configPromote } from './maintenance/config-promote.ts';
import { configRevert } from './maintenance/config-revert.ts';

/** Every runbook action the bot serves. Adding an action is one file and one line here. */
export const allActions: readonly AnyAction[] = [
  help,
  version,
  status,
  rollback,
  scale,
  restart,
  pods,
  logs,
  events,
  metricsQuery,
  isolate,
  runsList,
  cancel,
  whoami,
  approvalsList,
  approvalsHistory,
  approvalsReview,
  approvalsSignoff,
  approvalsApprove,
  approvalsReject,
  approvalsCancel,
  runsDecide,
  deployForm,
  auditVerify,
  auditExport,
  tradingStop,
  tradingStart,
  maintenanceEnable,
  maintenanceDisable,
  maintenanceWindows,
  maintenanceRun,
  incidentCreate,
  incidentSetup,
  incidentUpdate,
  incidentCommander,
  incidentAck,
  incidentPhase,
  incidentContain,
  incidentTimeline,
  incidentResolve,
  incidentsList,
  digest,
  kpis,
  doctor,
  home,
  // Issue 19: emergency contacts and the recurring reviews.
  contacts,
  contactsPage,
  diagnoseService,
  diagnoseLatency,
  diagnoseOrders,
  diagnoseDataFeed,
  cacheClear,
  databaseOptimize,
  brokerReconnect,
  riskLimitsReset,
  ordersCleanup,
  dataFeedRestart,
  dataFeedSwitch,
  backupCreate,
  backupList,
  backupVerify,
  rollbackDatabase,
  drDrill,
  drDrills,
  drFailoverDatabase,
  drActivateSite,
  tradingStatus,
  maintenanceStatus,
  deploy,
  configChange,
  configHistory,
  configPromote,
  configRevert,
];
