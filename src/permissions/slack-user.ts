/**
 * Whether `ref` is a Slack user id (U…, or W… on Enterprise Grid): the people who ask. The bot's own
 * schedules ask as themselves (`eafix-schedule`), which no Slack lookup or role applies to.
 */
export const isSlackUserId = (ref: string): boolean => /^[UW][A-Z0-9]{2,}$/.test(ref);
