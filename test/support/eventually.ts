/** Polls an async condition until it holds or the deadline passes (for state outside an emitter, e.g. Postgres). */
// The deadline only bounds a failure: generous, so a busy machine is slow rather than red.
export async function eventually<T>(
  probe: () => Promise<T>,
  description: string,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
