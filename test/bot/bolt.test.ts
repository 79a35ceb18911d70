/**
 * src/bot/bolt.ts takes Bolt's App from its own module. Node, the bundle and Vitest import a CommonJS module
 * differently (module.exports or its `default`): here, under Vitest; the sandbox runs it under Node (tsx) and
 * the compiled-bot tests in the bundle.
 */
import { describe, expect, it } from 'vitest';
import { App as FromIndex, LogLevel as LogLevelFromIndex } from '@slack/bolt';
import { App, LogLevel } from '../../src/bot/bolt.ts';

describe("Bolt's App from its own module", () => {
  it('is the class the package exports, and LogLevel its enum', () => {
    expect(App).toBe(FromIndex);
    expect(LogLevel).toBe(LogLevelFromIndex);
  });
});
