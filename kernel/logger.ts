// pino with redaction. Authorization headers, idempotency keys and any field that could
// hold a raw identifier are removed before a line is written; pretty only on a terminal.
// Log structured fields, never request data interpolated into the message.
import pino, { type Logger } from 'pino';

export type { Logger };

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.Authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'req.headers["x-liaison-operator"]',
  'headers.authorization',
  'headers.Authorization',
  'authorization',
  'token',
  'err.config.headers.Authorization',
  'err.config.headers.authorization',
  '*.fullName',
  '*.birthDate',
  '*.identifiers',
  '*.account',
  '*.value',
  '*.lat',
  '*.lon',
];

export function createLogger(options: { level: string; pretty: boolean; destination?: pino.DestinationStream }): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    redact: { paths: redactPaths, remove: true },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { singleLine: true, colorize: true } } });
  }
  return pino(base);
}
