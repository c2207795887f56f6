import { type DestinationStream, type Logger, pino } from 'pino';

/** Fields that may hold credentials: masked wherever they appear in a log object. */
const REDACT = [
  'apiKey',
  'api_key',
  'token',
  'authorization',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

/** Structured JSON logs (pino). Secrets are never passed in; known credential fields are masked anyway. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const opts = {
    level,
    base: { service: 'orchd' },
    redact: { paths: REDACT, censor: '****' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(opts, destination) : pino(opts);
}
