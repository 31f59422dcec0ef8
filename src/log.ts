import { createRequire } from "node:module";
import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Logs carry ids (case, member, outbox, timer), never case content or secrets. The redact
 * list is the safety net for the day someone logs an object they should not have.
 */
const SENSITIVE = [
  "token",
  "botToken",
  "appToken",
  "signingSecret",
  "authorization",
  "password",
  "title",
  "summary",
  "text",
  "note",
  "notes",
  "subjects",
  "subject",
  "outcome",
  "reason",
  "email",
  "body",
  "payload",
];

export const REDACT_PATHS = SENSITIVE.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]).concat([
  'headers["authorization"]',
  '*.headers["authorization"]',
]);

export interface LogOptions {
  level: string;
  /** Pretty, human output; defaults to whether stderr is a terminal. */
  pretty?: boolean;
}

/** Logs go to stderr: stdout belongs to the console adapter's conversation. */
export function createLogger(options: LogOptions): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (usePretty) {
    // Loaded only for a terminal: a service writing JSON never needs it in memory.
    const pretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
    return pino(base, pretty({ destination: 2, sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l" }));
  }
  return pino(base, pino.destination({ dest: 2, sync: false }));
}

export const silentLogger: Logger = pino({ level: "silent" });
