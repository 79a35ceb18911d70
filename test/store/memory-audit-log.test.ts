import { auditLogContract } from '../support/audit-log-contract.ts';
import { MemoryAuditLog } from '../support/memory-audit-log.ts';

auditLogContract('MemoryAuditLog', async () => {
  const log = new MemoryAuditLog();
  return { log, tamper: async (id, outcome) => log.tamper(id, outcome), close: async () => undefined };
});
