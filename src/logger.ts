import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions, type TransportSingleOptions } from 'pino';

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
  'sentinelPassword',
  '*.sentinelPassword',
  'REDIS_SENTINEL_PASSWORD',
  '*.REDIS_SENTINEL_PASSWORD',
];

/** Token shapes scrubbed from free text (error messages, URLs) before they are logged. */
const tokenPattern = /\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)\b/g;

export function scrubSecrets(text: string): string {
  return text
    .replace(tokenPattern, '[REDACTED]')
    .replace(/((?:postgres(?:ql)?|rediss?):\/\/[^:/@]*:)[^@]+@/g, '$1[REDACTED]@');
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
    const transport = prettyTransport();
    if (transport) return pino({ ...options, transport });
    const logger = pino(options);
    logger.warn('LOG_PRETTY is set but pino-pretty is not installed (a production install): logging JSON');
    return logger;
  }
  return pino(options);
}

const { chindingsSym } = pino.symbols;

/**
 * `logger.child({ requestId })` for the id the receiver generates itself, made on every request. pino's
 * `child` runs each binding through the redaction (31 paths, wildcards first) and rebuilds its formatters:
 * ten times the cost of this, which appends the binding as pino would. Only for values we generate; any
 * binding that may hold what someone sent goes through `child`.
 */
export function withRequestId(logger: Logger, requestId: string): Logger {
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(requestId)) return logger.child({ requestId });
  const child = Object.create(logger) as Logger & Record<symbol, string>;
  child[chindingsSym] = `${(logger as Logger & Record<symbol, string>)[chindingsSym]},"requestId":"${requestId}"`;
  return child;
}

/**
 * Human-readable logs through pino-pretty, a development dependency (the sandbox's and a dev checkout's):
 * the production install has none, so there the answer is undefined and logs stay JSON.
 */
export function prettyTransport(
  resolve: (id: string) => string = createRequire(import.meta.url).resolve,
): TransportSingleOptions | undefined {
  let target: string;
  try {
    target = resolve('pino-pretty');
  } catch {
    return undefined;
  }
  return { target, options: { colorize: true, ignore: 'pid,hostname,service' } };
}
