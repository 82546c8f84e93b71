// Logs to stderr: JSON lines for journald/cron, short text lines on a terminal; every line carries the run id.
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Fields = Record<string, unknown>;

/** The agent's logger: message first, structured fields second. */
export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  level?: Level;
  /** Force JSON (true) or text (false); default: text when stderr is a TTY. */
  json?: boolean;
  /** Where lines go; default stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Creates the logger. Secrets must never be passed in; config printing goes through redactConfig. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.stream ?? process.stderr;
  const json = options.json ?? !out.isTTY;
  const destination: DestinationStream = json
    ? out === process.stderr
      ? pino.destination({ fd: 2, sync: true })
      : out
    : textStream(out);
  const base = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
    },
    destination,
  );
  return wrap(base);
}

function wrap(log: Pino): Logger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
    child: (fields) => wrap(log.child(fields)),
  };
}

/** Renders pino's JSON lines as `HH:MM:SS LEVEL message key=value`. */
function textStream(out: NodeJS.WritableStream): DestinationStream {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const { time, level, msg, run_id: _runId, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        const clock = typeof time === 'string' ? time.slice(11, 19) : '';
        out.write(`${clock} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${extra ? `  ${extra}` : ''}\n`);
      }
      callback();
    },
  });
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = createLogger({
  level: 'silent',
  json: true,
  stream: new Writable({ write: (_c, _e, cb) => cb() }),
});
