import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";

/** Prometheus metrics, one registry per running app (tests run several side by side). */
export class Metrics {
  readonly registry = new Registry();
  readonly commands: Counter<"command" | "outcome">;
  readonly commandSeconds: Histogram<"command">;
  readonly outbox: Counter<"platform" | "result">;
  readonly timers: Counter<"kind" | "result">;
  readonly httpSeconds: Histogram<"route">;

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults ?? true) collectDefaultMetrics({ register: this.registry, prefix: "liaison_" });
    this.commands = new Counter({
      name: "liaison_commands_total",
      help: "Commands handled, by command and outcome (ok, refused, error, duplicate).",
      labelNames: ["command", "outcome"],
      registers: [this.registry],
    });
    this.commandSeconds = new Histogram({
      name: "liaison_command_duration_seconds",
      help: "Time to handle a command, from parse to reply.",
      labelNames: ["command"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.outbox = new Counter({
      name: "liaison_outbox_deliveries_total",
      help: "Outbox delivery attempts by platform and result (sent, rate_limited, transient, never, withheld).",
      labelNames: ["platform", "result"],
      registers: [this.registry],
    });
    this.httpSeconds = new Histogram({
      name: "liaison_http_request_duration_seconds",
      help: "Time from a request's arrival to its response (for Slack, to the ack; Slack gives up at 3 s).",
      labelNames: ["route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 10],
      registers: [this.registry],
    });
    this.timers = new Counter({
      name: "liaison_timers_total",
      help: "Timer firings by kind and result (fired, failed, dead, lease_lost, batch_retried_alone).",
      labelNames: ["kind", "result"],
      registers: [this.registry],
    });
  }

  /**
   * What is waiting, read from the database at each scrape (once for all three gauges):
   * messages not yet delivered (and how old the oldest is), messages given up on, timers
   * past due. The numbers to alert on. Gauges are database-wide: every process reports the
   * same values, so alert on their max. If the database cannot be read, the gauges keep
   * their last values and liaison_metrics_read_errors_total counts the failure, so the rest
   * of the scrape still works.
   */
  watchQueues(db: Database, clock: Clock): void {
    const registers = [this.registry];
    let reading: { at: number; snapshot: Promise<QueueSnapshot | null> } | undefined;
    const errors = new Counter({
      name: "liaison_metrics_read_errors_total",
      help: "Scrapes whose database read for the queue gauges failed.",
      registers,
      // Reported after this scrape's read, failed or not.
      async collect() {
        await read();
      },
    });
    const read = () => {
      if (!reading || performance.now() - reading.at > 1000) {
        reading = { at: performance.now(), snapshot: readQueues(db, clock.now()).catch(() => (errors.inc(), null)) };
      }
      return reading.snapshot;
    };
    new Gauge({
      name: "liaison_outbox_messages",
      help: "Outbox messages by state (pending, sending, dead, withheld: its audience no longer qualified at delivery); sent ones are not counted.",
      labelNames: ["state"],
      registers,
      async collect() {
        const s = await read();
        if (s) for (const [state, n] of Object.entries(s.outbox)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: "liaison_outbox_oldest_undelivered_seconds",
      help: "Age of the oldest message not yet delivered (0 when none).",
      registers,
      async collect() {
        const s = await read();
        if (s) this.set(s.oldestSeconds);
      },
    });
    new Gauge({
      name: "liaison_timers_overdue",
      help: "Timers due more than a second ago and not claimed, or claimed by a process whose lease ran out (a scheduler stuck or behind).",
      registers,
      async collect() {
        const s = await read();
        if (s) this.set(s.overdueTimers);
      },
    });
  }
}

interface QueueSnapshot {
  outbox: Record<"pending" | "sending" | "dead" | "withheld", number>;
  oldestSeconds: number;
  overdueTimers: number;
}

function readQueues(db: Database, now: Date): Promise<QueueSnapshot> {
  return db.tx(async (tx) => {
    const states = await tx.outbox.groupBy({ by: ["state"], where: { state: { in: ["pending", "sending", "dead", "withheld"] } }, _count: { _all: true } });
    const count = (state: string) => states.find((r) => r.state === state)?._count._all ?? 0;
    const oldest = await tx.outbox.findFirst({ where: { state: { in: ["pending", "sending"] } }, orderBy: { createdAt: "asc" }, select: { createdAt: true } });
    const overdueTimers = await tx.timer.count({
      where: {
        OR: [
          { state: "scheduled", dueAt: { lt: new Date(now.getTime() - 1000) } },
          { state: "running", leaseExpiresAt: { lt: now } },
        ],
      },
    });
    return {
      outbox: { pending: count("pending"), sending: count("sending"), dead: count("dead"), withheld: count("withheld") },
      oldestSeconds: oldest ? Math.max(0, (now.getTime() - oldest.createdAt.getTime()) / 1000) : 0,
      overdueTimers,
    };
  });
}
