// The operators' log: one JSON object a line on stdout (pino), at the level TIENDO_LOG_LEVEL gives
// (default info). Each line has `level` (a word), `time` (ISO 8601, UTC), `msg`, and the fields of
// what it tells: a request (adapters/http/request-log.ts), start-up and shutdown, an error with its
// stack and its `cause`s. Passwords, tokens and cookies are never fields of a line.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The level TIENDO_LOG_LEVEL names (default info); anything else is refused at start, saying what is allowed. */
export function logLevelOf(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`TIENDO_LOG_LEVEL="${value}" is not a level; use one of ${LOG_LEVELS.join(', ')}`);
  return level as LogLevel;
}

// pino's `err` serializer folds causes into the message and the stack; this one keeps each cause as
// an object of its own (`err.cause.message`, `err.cause.stack`, …), which a log search can reach.
const errWithCause = (pino.stdSerializers as unknown as { errWithCause: (e: unknown) => unknown }).errWithCause;

/** The logger: to `destination` (tests pass a stream) or stdout. */
export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: 'tiendo',
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errWithCause, error: errWithCause },
      // Whatever a caller passes by mistake, these never reach a line.
      redact: { paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that writes nothing (library use and tests that do not look at the log). */
export const silentLogger: Logger = pino({ level: 'silent' });
