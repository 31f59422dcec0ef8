import { nap } from "./nap.js";
import type { Logger } from "../log.js";

/**
 * Connecting to a chat platform, the same way for every platform: attempts with exponential
 * backoff and jitter, forever while the process runs (a platform briefly down at boot must
 * not need a person to restart the bot), except after a definite refusal — a token the
 * platform says is wrong, revoked or lacks the scope — which no retry can fix: that stops
 * the connection (`failed`), and the process exits with status 1. Each failed attempt is one
 * warn line; /healthz shows each platform's state (`PlatformHealth`).
 */

/** What an adapter says about a failed attempt; `reason` names hosts, codes and statuses only. */
export interface ConnectFailure {
  /** Retrying cannot help: the credentials or the app's configuration are refused. */
  fatal: boolean;
  /** Without one, the reason is taken from the error (a system error's message, an HTTP status, a code). */
  reason?: string;
  /** The platform asked to wait at least this long (a rate limit). */
  retryAfterMs?: number;
}

export interface RetryPolicy {
  /** The first wait, doubled after each failure… */
  initialMs: number;
  /** …up to this. Each wait is drawn between half and all of it, so processes spread out. */
  maxMs: number;
  /** An attempt with no outcome by then has failed ("no answer within …"). */
  attemptTimeoutMs: number;
}

export const CONNECT_RETRY: RetryPolicy = { initialMs: 1000, maxMs: 60_000, attemptTimeoutMs: 30_000 };

/** The wait after the `failures`-th failure in a row (1-based). */
export function retryDelay(policy: Pick<RetryPolicy, "initialMs" | "maxMs">, failures: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * A platform's state as /healthz shows it. `connected` and `standby` (another process holds
 * the platform's one connection — the Discord gateway) are healthy.
 */
export type PlatformState =
  /**
   * Not connected yet: `attempt` is the attempt under way, or — with `retryAt`, while
   * waiting — the one that failed; `reason` is why the last attempt failed.
   */
  | { state: "connecting"; attempt: number; reason?: string; retryAt?: string }
  | { state: "connected"; since: string }
  | { state: "standby" }
  /** Refused for good; the process is stopping. */
  | { state: "failed"; reason: string }
  | { state: "stopped" };

export const isHealthy = (s: PlatformState): boolean => s.state === "connected" || s.state === "standby";

/** The platforms /healthz reports on; the composition root registers each configured one. */
export class PlatformHealth {
  readonly #sources = new Map<string, () => PlatformState>();

  watch(platform: string, state: () => PlatformState): void {
    this.#sources.set(platform, state);
  }

  /** Undefined when no platform is watched (the console). */
  report(): { healthy: boolean; platforms: Record<string, PlatformState> } | undefined {
    if (this.#sources.size === 0) return undefined;
    const platforms = Object.fromEntries([...this.#sources].map(([name, state]) => [name, state()]));
    return { healthy: Object.values(platforms).every(isHealthy), platforms };
  }
}

export interface ConnectionOptions {
  platform: string;
  log: Logger;
  /** One attempt: resolves once connected; rejects (having cleaned up what it can) otherwise. */
  connect: () => Promise<void>;
  /** Ends the connection, or abandons the attempt under way. */
  disconnect: () => Promise<void>;
  /** How a failed attempt is judged; see ConnectFailure. */
  classify: (error: unknown) => ConnectFailure;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
}

/** Raised when an attempt has no outcome within `attemptTimeoutMs`. */
export class ConnectTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${formatMs(ms)}`);
    this.name = "ConnectTimeout";
  }
}

/** The error `failed` resolves with: the platform and the reason, fit for a person to read. */
export class PlatformRefused extends Error {
  constructor(
    readonly platform: string,
    readonly reason: string,
  ) {
    super(`${platform}: ${reason} (not retrying)`);
    this.name = "PlatformRefused";
  }
}

export class PlatformConnection {
  readonly platform: string;
  /** Resolves when the platform refused for good; the process should then exit with status 1. */
  readonly failed: Promise<PlatformRefused>;
  readonly #o: ConnectionOptions;
  readonly #policy: RetryPolicy;
  readonly #log: Logger;
  #state: PlatformState = { state: "stopped" };
  /** Bumped by start and stop: a loop whose generation is past stops at its next step. */
  #generation = 0;
  #wake: (() => void) | undefined;
  #firstOutcome: Promise<void> = Promise.resolve();
  #refused!: (error: PlatformRefused) => void;

  constructor(options: ConnectionOptions) {
    this.#o = options;
    this.platform = options.platform;
    this.#policy = { ...CONNECT_RETRY, ...options.retry };
    this.#log = options.log.child({ platform: options.platform });
    this.failed = new Promise((resolve) => (this.#refused = resolve));
  }

  status(): PlatformState {
    return this.#state;
  }

  /**
   * Starts connecting (a no-op while already connecting or connected). Resolves once the
   * first attempt has its outcome — connected, refused, or a retry scheduled — and never rejects.
   */
  start(): Promise<void> {
    if (this.#state.state !== "stopped") return this.#firstOutcome;
    const generation = ++this.#generation;
    this.#state = { state: "connecting", attempt: 1 };
    this.#firstOutcome = new Promise((firstOutcome) => void this.#run(generation, firstOutcome));
    return this.#firstOutcome;
  }

  /** Stops retrying and disconnects (or abandons the attempt under way). */
  async stop(): Promise<void> {
    this.#generation++;
    this.#wake?.();
    const was = this.#state.state;
    if (was !== "failed") this.#state = { state: "stopped" };
    if (was !== "stopped") await this.#o.disconnect().catch((error: unknown) => this.#log.debug({ err: error }, "disconnect failed"));
  }

  async #run(generation: number, firstOutcome: () => void): Promise<void> {
    let lastReason: string | undefined;
    for (let attempt = 1; ; attempt++) {
      if (generation !== this.#generation) return firstOutcome();
      this.#state = { state: "connecting", attempt, ...(lastReason ? { reason: lastReason } : {}) };
      let failure: unknown;
      try {
        await this.#attempt();
      } catch (error) {
        failure = error ?? new Error("connection failed");
      }
      if (generation !== this.#generation) {
        // Stopped while the attempt ran: whatever it opened is closed again.
        if (failure === undefined) await this.#o.disconnect().catch(() => {});
        return firstOutcome();
      }
      if (failure === undefined) {
        this.#state = { state: "connected", since: new Date().toISOString() };
        if (attempt > 1) this.#log.info({ attempts: attempt }, "connected to the chat platform");
        return firstOutcome();
      }
      // Whatever the failed attempt left half-open is closed before the next one.
      await this.#o.disconnect().catch(() => {});
      const judged = this.#judge(failure);
      lastReason = judged.reason;
      if (judged.fatal) {
        this.#state = { state: "failed", reason: judged.reason };
        this.#log.error({ attempt, problem: judged.reason }, "the chat platform refused the connection; not retrying");
        this.#refused(new PlatformRefused(this.platform, judged.reason));
        return firstOutcome();
      }
      const delay = Math.max(retryDelay(this.#policy, attempt, this.#o.random), judged.retryAfterMs ?? 0);
      const retryAt = new Date(Date.now() + delay).toISOString();
      this.#state = { state: "connecting", attempt, reason: judged.reason, retryAt };
      this.#log.warn({ attempt, problem: judged.reason, retryInMs: delay, retryAt }, "cannot connect to the chat platform; retrying");
      firstOutcome();
      const pause = nap(delay);
      this.#wake = pause.wake;
      await pause.done;
      this.#wake = undefined;
    }
  }

  /** One attempt, bounded by the attempt timeout (an abandoned attempt is cleaned up by disconnect). */
  async #attempt(): Promise<void> {
    const ms = this.#policy.attemptTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const attempt = this.#o.connect();
    // Settles later if it timed out; nobody waits for it then.
    attempt.catch(() => {});
    try {
      await Promise.race([attempt, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ConnectTimeout(ms)), ms)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  #judge(error: unknown): { fatal: boolean; reason: string; retryAfterMs?: number } {
    let judged: ConnectFailure;
    try {
      judged = error instanceof ConnectTimeout ? { fatal: false, reason: error.message } : this.#o.classify(error);
    } catch {
      judged = { fatal: false };
    }
    return { ...judged, reason: judged.reason ?? describeConnectError(error) };
  }
}

/**
 * A failed connection in words that name only hosts, ports, codes and statuses: a system
 * error's message (`connect ECONNREFUSED 127.0.0.1:9`, `getaddrinfo ENOTFOUND slack.com`) —
 * looked for along `cause` and `original` — else an HTTP status, else the error's class and code.
 * Never any other message (see safeError in src/log.ts).
 */
export function describeConnectError(error: unknown): string {
  const chain: Record<string, unknown>[] = [];
  for (let e: unknown = error; e && typeof e === "object" && chain.length < 6; ) {
    const x = e as Record<string, unknown>;
    chain.push(x);
    e = x.cause ?? x.original;
  }
  const system = chain.find((e) => typeof e.syscall === "string" && typeof e.message === "string");
  if (system) return String(system.message);
  const coded = chain.find((e) => typeof e.code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(e.code));
  if (coded) return `network error ${String(coded.code)}`;
  const status = chain.find((e) => typeof e.status === "number" || typeof e.statusCode === "number");
  if (status) return `HTTP ${String(status.status ?? status.statusCode)}`;
  if (chain.some((e) => e.name === "AbortError" || e.name === "TimeoutError")) return "the request timed out";
  // fetch() refuses the ports browsers block (9, 25, 6000, …) before connecting, in these words.
  if (chain.some((e) => e.message === "bad port")) return "fetch refuses to connect to this port (a port browsers block)";
  // Else the outermost error with a code, past the adapters' own wrapper: its class and code.
  const named = chain.find((e) => typeof e.code === "string" || typeof e.code === "number") ?? chain[chain.length > 1 ? 1 : 0];
  if (!named) return "connection failed";
  const type = (named.constructor as { name?: string } | undefined)?.name ?? "Error";
  return typeof named.code === "string" || typeof named.code === "number" ? `${type} (${String(named.code)})` : `${type}`;
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
