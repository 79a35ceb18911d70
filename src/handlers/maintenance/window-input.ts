import { z } from 'zod';

/** What a maintenance window's run is started with: which occurrence, and the times it must keep to. */
export const windowRunInput = z.object({
  window: z.string().min(1),
  /** The occurrence's record id (window-records.ts). */
  windowId: z.string().min(1),
  environment: z.string().min(1),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  reason: z.string().min(5),
});
export type WindowRunInput = z.infer<typeof windowRunInput>;
