import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { z } from "zod";

/**
 * Configuration comes from the environment (and `.env` when present; real environment
 * variables win). Names are the contract of docs/contract.md §7. Every problem is reported, one line
 * each, before anything starts.
 */

import type { Storage } from "./db/database.js";
import type { AccountRef, Platform } from "./model/platform.js";

export type { AccountRef, Platform } from "./model/platform.js";
export type { Storage } from "./db/database.js";

export interface Config {
  storage: Storage;
  port: number | undefined;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  logLevelExplicit: boolean;
  policyFile: string | undefined;
  /** LIAISON_SIGNING_KEY_FILE: the Ed25519 private key (PEM) evidence packs are signed with. */
  signingKeyFile: string | undefined;
  /** LIAISON_PUBLIC_URL: the address people open the board at (default http://localhost:PORT). */
  publicUrl: string | undefined;
  /** How long a claimed timer or outbox row stays with one process before others may take it. */
  leaseMs: number;
  bootstrapAdmins: AccountRef[];
  slack:
    | { botToken: string; signingSecret: string | undefined; appToken: string | undefined; apiUrl: string | undefined }
    | undefined;
  discord:
    | { token: string; applicationId: string; guildId: string | undefined; apiUrl: string | undefined }
    | undefined;
}

export const DEFAULT_SQLITE_FILE = "./data/liaison.db";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const SNOWFLAKE = /^\d{15,22}$/;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().trim().optional());

function httpUrl(name: string) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((v) => /^https?:\/\/[^\s/]+/i.test(v) && URL.canParse(v), {
        error: (issue) => `${name} must be an http:// or https:// URL, got "${String(issue.input)}"`,
      })
      .optional(),
  );
}

/** Hides a password in a connection string so that error messages never print it. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, "//$1:***@");
}

const envSchema = z
  .object({
    DATABASE_URL: optionalText,
    PORT: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .refine((v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535, {
          error: (issue) => `PORT must be a whole number from 0 to 65535, got "${String(issue.input)}"`,
        })
        .transform(Number)
        .optional(),
    ),
    LOG_LEVEL: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .toLowerCase()
        .refine((v): v is (typeof LOG_LEVELS)[number] => (LOG_LEVELS as readonly string[]).includes(v), {
          error: (issue) => `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${String(issue.input)}"`,
        })
        .optional(),
    ),
    LIAISON_POLICY_FILE: optionalText,
    LIAISON_SIGNING_KEY_FILE: optionalText,
    LIAISON_PUBLIC_URL: httpUrl("LIAISON_PUBLIC_URL"),
    LIAISON_LEASE_SECONDS: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .refine((v) => /^\d{1,4}$/.test(v) && Number(v) >= 2 && Number(v) <= 3600, {
          error: (issue) => `LIAISON_LEASE_SECONDS must be a whole number from 2 to 3600, got "${String(issue.input)}"`,
        })
        .transform(Number)
        .optional(),
    ),
    LIAISON_BOOTSTRAP_ADMINS: optionalText,
    SLACK_BOT_TOKEN: optionalText,
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: optionalText,
    SLACK_API_URL: httpUrl("SLACK_API_URL"),
    DISCORD_TOKEN: optionalText,
    DISCORD_APPLICATION_ID: optionalText,
    DISCORD_GUILD_ID: optionalText,
    DISCORD_API_URL: httpUrl("DISCORD_API_URL"),
  })
  .loose();

type Env = z.infer<typeof envSchema>;

function parseStorage(url: string | undefined, problems: string[]): Storage {
  if (url === undefined) return { provider: "sqlite", file: DEFAULT_SQLITE_FILE };
  if (/^postgres(ql)?:\/\//i.test(url)) {
    if (!URL.canParse(url) || !new URL(url).hostname) {
      problems.push(`DATABASE_URL is not a valid PostgreSQL URL: "${redactUrl(url)}"`);
    }
    return { provider: "postgresql", url };
  }
  if (/^file:/i.test(url)) {
    const file = url.slice("file:".length);
    if (file === "") problems.push('DATABASE_URL "file:" needs a path, e.g. file:./data/liaison.db');
    return { provider: "sqlite", file };
  }
  problems.push(
    `DATABASE_URL must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL), got "${redactUrl(url)}"`,
  );
  return { provider: "sqlite", file: DEFAULT_SQLITE_FILE };
}

export function parseAccountList(value: string | undefined, name: string, problems: string[]): AccountRef[] {
  if (value === undefined) return [];
  const refs: AccountRef[] = [];
  for (const raw of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const match = /^(console|slack|discord):([A-Za-z0-9._-]{1,64})$/.exec(raw);
    if (!match) {
      problems.push(`${name} entry "${raw}" must look like console:<name>, slack:<user id> or discord:<user id>`);
      continue;
    }
    refs.push({ platform: match[1] as Platform, externalId: match[2]! });
  }
  return refs;
}

function crossCheck(env: Env, problems: string[], invalid: Set<string>): Pick<Config, "slack" | "discord"> {
  let slack: Config["slack"];
  let discord: Config["discord"];

  if (env.SLACK_BOT_TOKEN !== undefined) {
    if (!env.SLACK_BOT_TOKEN.startsWith("xoxb-")) problems.push("SLACK_BOT_TOKEN must be a bot token starting with xoxb-");
    if (env.SLACK_APP_TOKEN !== undefined && !env.SLACK_APP_TOKEN.startsWith("xapp-")) {
      problems.push("SLACK_APP_TOKEN must be an app-level token starting with xapp-");
    }
    if (env.SLACK_APP_TOKEN === undefined && env.SLACK_SIGNING_SECRET === undefined) {
      problems.push(
        "SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set (or set SLACK_APP_TOKEN to use Socket Mode)",
      );
    }
    if (env.SLACK_APP_TOKEN === undefined && env.PORT === undefined && !invalid.has("PORT")) {
      problems.push("PORT is required for Slack over HTTP (or set SLACK_APP_TOKEN to use Socket Mode)");
    }
    slack = {
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
    };
  } else {
    for (const name of ["SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"] as const) {
      if (env[name] !== undefined) problems.push(`${name} is set but SLACK_BOT_TOKEN is not`);
    }
  }

  if (env.DISCORD_TOKEN !== undefined || env.DISCORD_APPLICATION_ID !== undefined) {
    if (env.DISCORD_TOKEN === undefined) problems.push("DISCORD_TOKEN is required when DISCORD_APPLICATION_ID is set");
    if (env.DISCORD_APPLICATION_ID === undefined) {
      problems.push("DISCORD_APPLICATION_ID is required when DISCORD_TOKEN is set");
    } else if (!SNOWFLAKE.test(env.DISCORD_APPLICATION_ID)) {
      problems.push(`DISCORD_APPLICATION_ID must be a Discord id (digits), got "${env.DISCORD_APPLICATION_ID}"`);
    }
    if (env.DISCORD_GUILD_ID !== undefined && !SNOWFLAKE.test(env.DISCORD_GUILD_ID)) {
      problems.push(`DISCORD_GUILD_ID must be a Discord id (digits), got "${env.DISCORD_GUILD_ID}"`);
    }
    if (env.DISCORD_TOKEN !== undefined && env.DISCORD_APPLICATION_ID !== undefined) {
      discord = {
        token: env.DISCORD_TOKEN,
        applicationId: env.DISCORD_APPLICATION_ID,
        guildId: env.DISCORD_GUILD_ID,
        apiUrl: env.DISCORD_API_URL,
      };
    }
  } else {
    for (const name of ["DISCORD_GUILD_ID", "DISCORD_API_URL"] as const) {
      if (env[name] !== undefined) problems.push(`${name} is set but DISCORD_TOKEN is not`);
    }
  }
  return { slack, discord };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export function parseConfig(source: Record<string, string | undefined>): ConfigResult {
  const problems: string[] = [];
  let parsed = envSchema.safeParse(source);
  const invalid = new Set<string>();
  if (!parsed.success) {
    // Report these, then check the rest without them so every problem shows at once.
    for (const issue of parsed.error.issues) {
      problems.push(issue.message);
      invalid.add(String(issue.path[0]));
    }
    const rest = Object.fromEntries(Object.entries(source).filter(([k]) => !invalid.has(k)));
    parsed = envSchema.safeParse(rest);
    if (!parsed.success) return { ok: false, problems };
  }
  const env = parsed.data;
  const storage = parseStorage(env.DATABASE_URL, problems);
  const bootstrapAdmins = parseAccountList(env.LIAISON_BOOTSTRAP_ADMINS, "LIAISON_BOOTSTRAP_ADMINS", problems);
  if (env.LIAISON_POLICY_FILE !== undefined && !existsSync(env.LIAISON_POLICY_FILE)) {
    problems.push(`LIAISON_POLICY_FILE "${env.LIAISON_POLICY_FILE}" does not exist`);
  }
  const platforms = crossCheck(env, problems, invalid);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      storage,
      port: env.PORT,
      logLevel: env.LOG_LEVEL ?? "info",
      logLevelExplicit: env.LOG_LEVEL !== undefined,
      policyFile: env.LIAISON_POLICY_FILE,
      signingKeyFile: env.LIAISON_SIGNING_KEY_FILE,
      publicUrl: env.LIAISON_PUBLIC_URL?.replace(/\/+$/, ""),
      leaseMs: (env.LIAISON_LEASE_SECONDS ?? 30) * 1000,
      bootstrapAdmins,
      ...platforms,
    },
  };
}

/** process.env overlaid on `.env` (if present in the working directory): real variables win. */
export function readEnvironment(cwd = process.cwd(), env = process.env): Record<string, string | undefined> {
  const file = `${cwd}/.env`;
  if (!existsSync(file)) return { ...env };
  return { ...parseEnv(readFileSync(file, "utf8")), ...env };
}
