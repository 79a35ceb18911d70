import { App } from './bolt.ts';
import type { Logger } from '../logger.ts';
import { boltLogger } from './bolt-logger.ts';
import { commandListener } from './command-listener.ts';
import { registerApprovalListeners } from './approval-listeners.ts';
import { registerBreakGlassListeners } from './break-glass-listeners.ts';
import { registerIncidentListeners } from './incident-listeners.ts';
import { registerActionForms } from './action-forms.ts';
import { registerReportListeners } from './report-listeners.ts';
import { registerAppHomeListener } from './app-home-listener.ts';
import { registerAlertListeners } from './alert-listeners.ts';
import { registerDiagnosisListeners } from './diagnosis-listeners.ts';
import { registerRunPauseListeners } from './run-pause-listeners.ts';
import { slackClientOptions } from '../slack/slack-client.ts';
import type { SlackHttpReceiver } from './slack-http-receiver.ts';
import type { InboundGate } from './inbound-gate.ts';
import { gateMiddleware } from './gate-middleware.ts';
import { SlackRouter } from './slack-router.ts';
import type { SlackAuthorizer } from './slack-authorizer.ts';
import type { BotServices } from './request-scope.ts';

export type SlackApp = InstanceType<typeof App>;

export interface SlackAppOptions {
  signingSecret: string;
  apiUrl: string;
  /** HTTP mode: our receiver. Socket Mode: the app-level token instead. */
  receiver?: SlackHttpReceiver;
  appToken?: string;
  /** Resolves the bot token once auth.test has succeeded (retried with backoff while Slack is away). */
  authorize: SlackAuthorizer['authorize'];
  logger: Logger;
  services: BotServices;
  /** Socket Mode: the gate runs as middleware (over HTTP the receiver runs it before routing). */
  gate?: InboundGate;
}

/** The Bolt app: listeners only (Slack payload → invoke → deliver); every decision is made in the handlers. */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const common = {
    authorize: options.authorize,
    logger: boltLogger(options.logger),
    // Bolt's per-request clients (App Home publishing) follow the same policy as ours.
    clientOptions: slackClientOptions({ apiUrl: options.apiUrl }, options.logger),
    // No listener keeps conversation state in Bolt: its default in-memory store would only cost every request a lookup.
    convoStore: false as const,
  };
  const app = options.appToken
    ? new App({ ...common, socketMode: true, appToken: options.appToken, signingSecret: options.signingSecret })
    : new App({ ...common, receiver: options.receiver });
  if (options.appToken && options.gate) app.use(gateMiddleware(options.gate, options.logger));
  const router = new SlackRouter();
  router.command('/eafix', commandListener(options.services, options.logger));
  registerApprovalListeners(router, options.services, options.logger);
  registerBreakGlassListeners(router, options.services, options.logger);
  registerIncidentListeners(router, options.services, options.logger);
  registerActionForms(router, options.services, options.logger);
  registerReportListeners(router, options.services, options.logger);
  registerAppHomeListener(router, options.services, options.logger);
  registerAlertListeners(router, options.services, options.logger);
  registerDiagnosisListeners(router, options.services, options.logger);
  registerRunPauseListeners(router, options.services, options.logger);
  router.mount(app);
  app.error(async (error) => {
    options.logger.error({ err: error }, 'bolt listener error');
  });
  return app;
}
