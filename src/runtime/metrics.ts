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
      help: "Outbox delivery attempts by platform and result (sent, rate_limited, transient, never).",
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
   * What is waiting, read from the database at each scrape: messages not yet delivered (and
   * how old the oldest is), messages given up on, timers past due. The numbers to alert on.
   */
  watchQueues(db: Database, clock: Clock): void {
    const registers = [this.registry];
    new Gauge({
      name: "liaison_outbox_messages",
      help: "Outbox messages by state (pending, sending, dead); sent ones are not counted.",
      labelNames: ["state"],
      registers,
      async collect() {
        const rows = await db.tx((tx) => tx.outbox.groupBy({ by: ["state"], where: { state: { in: ["pending", "sending", "dead"] } }, _count: { _all: true } }));
        for (const state of ["pending", "sending", "dead"]) this.set({ state }, rows.find((r) => r.state === state)?._count._all ?? 0);
      },
    });
    new Gauge({
      name: "liaison_outbox_oldest_undelivered_seconds",
      help: "Age of the oldest message not yet delivered (0 when none).",
      registers,
      async collect() {
        const row = await db.tx((tx) => tx.outbox.findFirst({ where: { state: { in: ["pending", "sending"] } }, orderBy: { createdAt: "asc" }, select: { createdAt: true } }));
        this.set(row ? Math.max(0, (clock.now().getTime() - row.createdAt.getTime()) / 1000) : 0);
      },
    });
    new Gauge({
      name: "liaison_timers_overdue",
      help: "Timers past their due time and not fired yet (a scheduler that is stuck or behind).",
      registers,
      async collect() {
        this.set(await db.tx((tx) => tx.timer.count({ where: { state: { in: ["scheduled", "running"] }, dueAt: { lt: new Date(clock.now().getTime() - 1000) } } })));
      },
    });
  }
}
