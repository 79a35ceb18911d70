import { approvalStoreContract } from '../support/approval-store-contract.ts';
import { MemoryApprovalStore } from '../support/memory-approval-store.ts';

approvalStoreContract('MemoryApprovalStore', async (now) => ({
  store: new MemoryApprovalStore(now),
  close: async () => undefined,
}));
