import { pino, type Logger } from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  err?: { message: string; stack?: string };
  [field: string]: unknown;
}

/** A real pino logger (same redaction as production) whose lines at `level` and above land in `lines`, parsed. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}
