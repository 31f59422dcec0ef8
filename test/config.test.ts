import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";

const problems = (env: Record<string, string>) => {
  const r = parseConfig(env);
  return r.ok ? [] : r.problems;
};

describe("configuration", () => {
  it("defaults to the embedded SQLite database and the console", () => {
    const r = parseConfig({});
    expect(r.ok && r.config.storage).toEqual({ provider: "sqlite", file: "./data/liaison.db" });
    expect(r.ok && r.config.slack).toBeUndefined();
  });

  it("switches to PostgreSQL for postgres:// and postgresql:// URLs", () => {
    for (const url of ["postgres://u@h/db", "postgresql://u:p@h:5433/db"]) {
      const r = parseConfig({ DATABASE_URL: url });
      expect(r.ok && r.config.storage.provider).toBe("postgresql");
    }
  });

  it("names an unsupported DATABASE_URL without printing its password", () => {
    expect(problems({ DATABASE_URL: "mysql://admin:hunter2@db/liaison" })).toEqual([
      'DATABASE_URL must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL), got "mysql://admin:***@db/liaison"',
    ]);
  });

  it("reports every problem, one per line", () => {
    expect(
      problems({ PORT: "eighty", LOG_LEVEL: "loud", SLACK_BOT_TOKEN: "xoxb-1", DISCORD_APPLICATION_ID: "abc", LIAISON_BOOTSTRAP_ADMINS: "root" }),
    ).toEqual([
      'PORT must be a whole number from 0 to 65535, got "eighty"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'LIAISON_BOOTSTRAP_ADMINS entry "root" must look like console:<name>, slack:<user id> or discord:<user id>',
      "SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set (or set SLACK_APP_TOKEN to use Socket Mode)",
      "DISCORD_TOKEN is required when DISCORD_APPLICATION_ID is set",
      'DISCORD_APPLICATION_ID must be a Discord id (digits), got "abc"',
    ]);
  });

  it("takes the board's public address, without a trailing slash, and refuses one that is not http(s)", () => {
    const r = parseConfig({ LIAISON_PUBLIC_URL: "https://liaison.agency.example/" });
    expect(r.ok && r.config.publicUrl).toBe("https://liaison.agency.example");
    expect(problems({ LIAISON_PUBLIC_URL: "liaison.agency.example" })).toEqual(['LIAISON_PUBLIC_URL must be an http:// or https:// URL, got "liaison.agency.example"']);
  });

  it("refuses a port out of range", () => {
    expect(problems({ PORT: "70000" })).toEqual(['PORT must be a whole number from 0 to 65535, got "70000"']);
  });

  it("needs no signing secret or port in Socket Mode", () => {
    const r = parseConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" });
    expect(r.ok && r.config.slack).toMatchObject({ botToken: "xoxb-1", appToken: "xapp-1" });
  });

  it("parses the bootstrap coordinators", () => {
    const r = parseConfig({ LIAISON_BOOTSTRAP_ADMINS: "console:root, slack:U123" });
    expect(r.ok && r.config.bootstrapAdmins).toEqual([
      { platform: "console", externalId: "root" },
      { platform: "slack", externalId: "U123" },
    ]);
  });

  it("treats empty variables as unset", () => {
    expect(parseConfig({ PORT: "", SLACK_BOT_TOKEN: "" }).ok).toBe(true);
  });

  it("refuses a policy file that does not exist", () => {
    expect(problems({ LIAISON_POLICY_FILE: "/nonexistent/policy.yaml" })).toEqual([
      'LIAISON_POLICY_FILE "/nonexistent/policy.yaml" does not exist',
    ]);
  });
});
