export { SlackEmulator } from './slack-emulator.ts';
export type { ChangeEvent, SlackEmulatorOptions, WaitForOptions } from './slack-emulator.ts';
export { SlackDriver } from './slack-driver.ts';
export type {
  ClickInput,
  ClickResult,
  CommandInput,
  CommandResult,
  DriverResponse,
  EventOptions,
  RawPostOptions,
  SlackDriverOptions,
} from './slack-driver.ts';
export type { CloseViewInput, SubmitOutcome, SubmitViewInput, SubmitViewResult } from './view-interactions.ts';
export { signSlackRequest, verifySlackSignature } from './signing.ts';
export {
  DEFAULT_RATE_LIMITS,
  DEFAULT_TIER_LIMITS,
  METHOD_TIERS,
  RateLimiter,
  resolveRateLimits,
} from './rate-limiter.ts';
export type { RateLimitConfig, TierLimit, TierName } from './rate-limiter.ts';
export { LIMITS as BLOCK_KIT_LIMITS, validateMessageBlocks, validateView } from './block-kit-limits.ts';
export { SlackState } from './state.ts';
export type { WorkspaceIdentity } from './state.ts';
export { listButtons, findButton, viewStateValues } from './interaction-payloads.ts';
export type * from './types.ts';
export type { SlackFailureKind, SlackFailureRule } from './failure-injection.ts';
