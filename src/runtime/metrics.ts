import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics, one registry per running app (tests run several side by side). */
export class Metrics {
  readonly registry = new Registry();
  readonly commands: Counter<"command" | "outcome">;
  readonly commandSeconds: Histogram<"command">;
  readonly outbox: Counter<"platform" | "result">;
  readonly timers: Counter<"kind" | "result">;

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults ?? true) collectDefaultMetrics({ register: this.registry, prefix: "liaison_" });
    this.commands = new Counter({
      name: "liaison_commands_total",
      help: "Commands handled, by command and outcome (ok, refused, error).",
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
    this.timers = new Counter({
      name: "liaison_timers_total",
      help: "Timer firings by kind and result (fired, failed, dead, lease_lost).",
      labelNames: ["kind", "result"],
      registers: [this.registry],
    });
  }
}
