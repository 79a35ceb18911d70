import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log line. Tokens and the signing secret must never
 * reach a log even when someone logs a whole config, request or client object.
 */
export const redactPaths = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'signingSecret',
  '*.signingSecret',
  'appToken',
  '*.appToken',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.SLACK_APP_TOKEN',
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
  'routingKey',
  '*.routingKey',
  'routing_key',
  '*.routing_key',
  'PAGERDUTY_ROUTING_KEY',
  '*.PAGERDUTY_ROUTING_KEY',
  'password',
  '*.password',
];

/** Token shapes scrubbed from free text (error messages, URLs) before they are logged. */
const tokenPattern = /\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)\b/g;

export function scrubSecrets(text: string): string {
  return text.replace(tokenPattern, '[REDACTED]').replace(/(postgres(?:ql)?:\/\/[^:/@]+:)[^@]+@/g, '$1[REDACTED]@');
}

export interface LoggerSettings {
  level: string;
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: 'eafix-chatops' },
    redact: { paths: redactPaths, censor: '[REDACTED]' },
    formatters: {
      log: (object) => {
        const err = object.err as { message?: string; stack?: string } | undefined;
        if (err && typeof err === 'object') {
          if (typeof err.message === 'string') err.message = scrubSecrets(err.message);
          if (typeof err.stack === 'string') err.stack = scrubSecrets(err.stack);
        }
        return object;
      },
    },
  };
  if (settings.destination) return pino(options, settings.destination);
  if (settings.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,service' } } });
  }
  return pino(options);
}
