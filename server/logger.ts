// The server's log: JSON lines (one object per line, for log shippers) unless a person is reading a terminal, who
// gets pino-pretty's readable lines. LOG_FORMAT=json|pretty overrides the guess. Credentials are redacted in both.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

const REDACT = ['password', '*.password', 'secrets', '*.secrets', 'token', '*.token', 'authorization', '*.authorization'];

export function logFormat(env: NodeJS.ProcessEnv, isTTY: boolean): 'json' | 'pretty' {
  const f = env.LOG_FORMAT?.trim().toLowerCase();
  if (f === 'json' || f === 'pretty') return f;
  if (f) throw Object.assign(new Error(`LOG_FORMAT must be json or pretty, not ${JSON.stringify(env.LOG_FORMAT)}`), { userFacing: true });
  return isTTY ? 'pretty' : 'json';
}

export function createLogger(env: NodeJS.ProcessEnv, out: { isTTY?: boolean; fd?: number } = process.stdout, sync = false): Logger {
  const options = { level: env.LOG_LEVEL ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } };
  if (logFormat(env, out.isTTY === true) === 'pretty') {
    // In-process stream (no transport worker thread): the same asynchronous writes as the JSON destination.
    return pino(options, pretty({ colorize: out.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: out.fd ?? 1, sync }));
  }
  return pino(options, pino.destination({ dest: out.fd ?? 1, sync }));
}
