/** A switch's value and who set it last (never set: the fallback, without a setter). */
export interface PlatformSwitch<T> {
  value: T;
  updatedBy?: string;
  updatedAt?: Date;
}

/** Trading and maintenance switches, changed with compare-and-set so a stale plan never overwrites. */
export interface PlatformState {
  get<T>(key: string, fallback: T): Promise<PlatformSwitch<T>>;
  /** Sets `key` to `next` only if it still holds `expected`; false when the world moved on. */
  compareAndSet<T>(key: string, expected: T, next: T, by: string, requestId: string): Promise<boolean>;
}
