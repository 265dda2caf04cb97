// Owns the server's structured logs: pino, JSON lines on stdout (or a given stream), with the
// service name on every line. Requests are logged one line each at debug level; warnings and
// errors are always logged at the default level (info).

import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const opts = { level, base: { service: 'recs-api' }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(opts, destination) : pino(opts);
}
