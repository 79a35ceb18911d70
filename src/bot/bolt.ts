/**
 * Bolt's `App` and `LogLevel`, from the module that defines them rather than the package's index. The index
 * also loads every receiver Bolt ships, and with them Express, body-parser and the AWS Lambda receiver: the bot
 * serves Slack through its own receiver (slack-http-receiver.ts) or Socket Mode, so loading them made every start
 * ~100 ms longer and left ~5 MB on the heap. `App` itself still loads the HTTP and Socket Mode receivers.
 * Bolt has no `exports` map, so the path is public; test/bundle.test.ts runs the bundle to see what it loads.
 */
import * as bolt from '@slack/bolt/dist/App.js';

type AppClass = typeof bolt.default.default;
// A CommonJS module's default export is its `module.exports` in Node and in the bundle (esbuild's Node mode);
// Vitest unwraps a module marked `__esModule` to its `default`, the class itself.
const imported: unknown = bolt.default;
export const App: AppClass = typeof imported === 'function' ? (imported as AppClass) : bolt.default.default;
export const { LogLevel } = bolt;
