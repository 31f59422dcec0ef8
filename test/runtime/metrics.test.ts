import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.js";
import { Metrics } from "../../src/runtime/metrics.js";
import { openTestDatabase } from "../helpers/harness.js";

describe("queue metrics", () => {
  it("keep the scrape working when the database cannot be read, and count the failure", async () => {
    const t = await openTestDatabase("sqlite");
    const metrics = new Metrics({ defaults: false });
    metrics.watchQueues(t.db, systemClock);
    metrics.commands.inc({ command: "/ppp help", outcome: "ok" });
    const healthy = await metrics.registry.metrics();
    expect(healthy).toMatch(/^liaison_outbox_messages\{state="pending"\} 0$/m);
    expect(healthy).toMatch(/^liaison_metrics_read_errors_total 0$/m);

    await t.cleanup();
    await new Promise((r) => setTimeout(r, 1100));
    const broken = await metrics.registry.metrics();
    expect(broken).toMatch(/^liaison_commands_total\{command="\/ppp help",outcome="ok"\} 1$/m);
    expect(broken).toMatch(/^liaison_outbox_messages\{state="pending"\} 0$/m);
    expect(broken).toMatch(/^liaison_metrics_read_errors_total 1$/m);
  });
});
