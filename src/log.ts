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

/**
 * How an error is logged: its class, its codes and where it was thrown — never its message,
 * which may quote what a user typed or the arguments of a failed query (a case title, a
 * wallet address). Node's system errors (a refused connection) keep their message, which
 * names only hosts and ports. Causes are followed the same way.
 */
export function safeError(error: unknown, depth = 0): Record<string, unknown> | undefined {
  if (error === null || error === undefined) return undefined;
  if (typeof error !== "object") return { type: typeof error };
  const e = error as {
    name?: unknown;
    code?: unknown;
    errno?: unknown;
    syscall?: unknown;
    message?: unknown;
    stack?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  };
  const out: Record<string, unknown> = { type: (error as object).constructor?.name ?? String(e.name ?? "Error") };
  if (typeof e.name === "string" && e.name !== out.type) out.name = e.name;
  if (typeof e.code === "string" || typeof e.code === "number") out.code = e.code;
  const driver = e.meta?.driverAdapterError?.cause;
  if (driver) out.driver = { kind: driver.kind, code: driver.originalCode };
  if (typeof e.syscall === "string") {
    out.syscall = e.syscall;
    if (typeof e.message === "string") out.message = e.message;
  }
  if (typeof e.stack === "string") out.stack = e.stack.split("\n").filter((l) => /^\s+at /.test(l)).join("\n");
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, depth + 1);
  return out;
}

export interface LogOptions {
  level: string;
  /** Where JSON lines go (default stderr); tests capture them. */
  destination?: NodeJS.WritableStream;
  /** Pretty, human output; defaults to whether stderr is a terminal. */
  pretty?: boolean;
}

/** Logs go to stderr: stdout belongs to the console adapter's conversation. */
export function createLogger(options: LogOptions): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, serializers: { err: safeError, error: safeError } };
  const usePretty = options.pretty ?? (options.destination === undefined && Boolean(process.stderr.isTTY));
  if (usePretty) {
    // Loaded only for a terminal: a service writing JSON never needs it in memory.
    const pretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
    return pino(base, pretty({ destination: 2, sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l" }));
  }
  return pino(base, options.destination ?? pino.destination({ dest: 2, sync: false }));
}

export const silentLogger: Logger = pino({ level: "silent" });
