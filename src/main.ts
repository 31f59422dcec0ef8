import { dirname, join } from "node:path";
import { ConsoleAdapter } from "../adapters/console/index.js";
import { consoleBanner } from "../adapters/console/banner.js";
import { ConsoleNotifier } from "../adapters/console/notifier.js";
import { ConsoleWriter } from "../adapters/console/writer.js";
import { parseConfig, readEnvironment, redactUrl, type Config } from "./config.js";
import { coordinators } from "./domain/members.js";
import { loadPolicy, PolicyError } from "./domain/policy.js";
import { createLogger } from "./log.js";
import { startApp, type App } from "./runtime/app.js";
import { Mutex } from "./runtime/mutex.js";
import { platformClients, startPlatforms } from "./platforms.js";

/**
 * The console session (docs/contract.md §7): the banner, then lines from stdin until its end
 * (or Ctrl-C twice, or a signal); then what is due is delivered and the app stops.
 */
async function runConsole(app: App, config: Config, out: ConsoleWriter, exclusive: <T>(fn: () => Promise<T>) => Promise<T>, forced: boolean): Promise<number> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const env = readEnvironment();
  // The typed lines, kept beside the SQLite file (or in ./data); LIAISON_CONSOLE_HISTORY=<file> or off.
  const historySetting = env.LIAISON_CONSOLE_HISTORY?.trim();
  const historyFile = historySetting === "off"
    ? undefined
    : historySetting || join(config.storage.provider === "sqlite" ? dirname(config.storage.file) : "data", "console_history");
  const adapter = new ConsoleAdapter({
    input: process.stdin,
    output: out,
    interactive,
    runner: app.dispatcher,
    complete: { registry: app.registry, suggest: (account, kind, typed, context) => app.dispatcher.suggest(account, kind, typed, context) },
    ...(historyFile ? { history: { file: historyFile } } : {}),
    // What a line caused prints right after it; a flood beyond half a second is left to the
    // background loops, whose rounds interleave with the next lines.
    settle: () => app.settle({ budgetMs: 500 }),
    exclusive,
  });
  // The banner: on a terminal above the prompt, on a pipe to stderr (stdout stays the conversation).
  await exclusive(async () => {
    let count: number | undefined;
    try {
      count = (await app.db.tx((tx) => coordinators(tx, new Date()))).length;
    } catch {
      // Not worth failing the start for: the banner just says nothing about coordinators.
    }
    const banner = consoleBanner({
      storage: config.storage.provider === "sqlite" ? `SQLite ${config.storage.file}` : `PostgreSQL ${redactUrl(config.storage.url)}`,
      ignored: [config.slack && "Slack", config.discord && "Discord"].filter((p): p is string => Boolean(p)),
      forced,
      port: app.port,
      coordinators: count,
    });
    (interactive ? out : process.stderr).write(banner.join("\n") + "\n");
  });
  const stop = () => adapter.close();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await adapter.run();
  // End of input: everything due is delivered before the process ends.
  await exclusive(() => app.settle());
  await app.stop();
  return 0;
}

/**
 * `npm start`. With no platform credentials (or with --console) it runs the console
 * adapter on stdin/stdout; otherwise it connects to the configured platforms.
 */
async function main(argv: string[]): Promise<number> {
  const forceConsole = argv.includes("--console");
  const parsed = parseConfig(readEnvironment());
  if (!parsed.ok) {
    for (const problem of parsed.problems) process.stderr.write(`invalid configuration: ${problem}\n`);
    return 2;
  }
  const config = parsed.config;
  let policy;
  try {
    policy = loadPolicy(config.policyFile);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    for (const problem of error.problems) process.stderr.write(`invalid configuration: LIAISON_POLICY_FILE: ${problem}\n`);
    return 2;
  }
  const useConsole = forceConsole || (!config.slack && !config.discord);
  // In the console the conversation is the output; routine logs would only get in its way.
  const level = useConsole && !config.logLevelExplicit ? "warn" : config.logLevel;
  const log = createLogger({ level });

  const exclusive = new Mutex().run;
  // Every console write goes through one writer, so output never lands inside the line being typed.
  const consoleOut = new ConsoleWriter(process.stdout);
  const clients = useConsole ? { notifiers: [new ConsoleNotifier(consoleOut)] } : platformClients(config);
  let app: App;
  try {
    app = await startApp({ config, log, policy, notifiers: clients.notifiers, ...(useConsole ? { exclusive } : {}), parallelDelivery: !useConsole });
  } catch (error) {
    process.stderr.write(`liaison: ${(error as Error).message}\n`);
    log.debug({ err: error }, "start-up failed");
    return 1;
  }

  if (useConsole) return runConsole(app, config, consoleOut, exclusive, forceConsole);

  // A platform that cannot be reached is retried with backoff (src/runtime/connection.ts) while
  // the rest runs and /healthz says so; only a refused token ends the process, with status 1.
  let platforms;
  try {
    platforms = await startPlatforms(config, app, clients, log);
  } catch (error) {
    process.stderr.write(`liaison: cannot connect to the chat platform: ${(error as Error).message}\n`);
    await app.stop();
    return 1;
  }
  // Graceful shutdown: stop taking commands, finish or release what is in hand, close.
  const refused = await new Promise<Error | undefined>((resolve) => {
    process.once("SIGTERM", () => resolve(undefined));
    process.once("SIGINT", () => resolve(undefined));
    void platforms.failed.then(resolve);
  });
  if (refused) process.stderr.write(`liaison: cannot connect to the chat platform: ${refused.message}\n`);
  log.info("shutting down");
  await platforms.stop();
  await app.stop();
  return refused ? 1 : 0;
}

const code = await main(process.argv.slice(2));
// Let buffered output reach a pipe before exiting.
process.stdout.write("", () => process.exit(code));
