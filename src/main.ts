import { ConsoleAdapter } from "../adapters/console/index.js";
import { ConsoleNotifier } from "../adapters/console/notifier.js";
import { parseConfig, readEnvironment } from "./config.js";
import { loadPolicy, PolicyError } from "./domain/policy.js";
import { createLogger } from "./log.js";
import { startApp, type App } from "./runtime/app.js";
import { Mutex } from "./runtime/mutex.js";
import { platformClients, startPlatforms } from "./platforms.js";

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
  const clients = useConsole ? { notifiers: [new ConsoleNotifier(process.stdout)] } : platformClients(config);
  let app: App;
  try {
    app = await startApp({ config, log, policy, notifiers: clients.notifiers, ...(useConsole ? { exclusive } : {}), parallelDelivery: !useConsole });
  } catch (error) {
    process.stderr.write(`liaison: ${(error as Error).message}\n`);
    log.debug({ err: error }, "start-up failed");
    return 1;
  }

  if (useConsole) {
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    const adapter = new ConsoleAdapter({
      input: process.stdin,
      output: process.stdout,
      interactive,
      runner: app.dispatcher,
      // What a line caused prints right after it; a flood beyond half a second is left to the
      // background loops, whose rounds interleave with the next lines.
      settle: () => app.settle({ budgetMs: 500 }),
      exclusive,
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

  let platforms;
  try {
    platforms = await startPlatforms(config, app, clients, log);
  } catch (error) {
    process.stderr.write(`liaison: cannot connect to the chat platform: ${(error as Error).message}\n`);
    await app.stop();
    return 1;
  }
  // Graceful shutdown: stop taking commands, finish or release what is in hand, close.
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  log.info("shutting down");
  await platforms.stop();
  await app.stop();
  return 0;
}

const code = await main(process.argv.slice(2));
// Let buffered output reach a pipe before exiting.
process.stdout.write("", () => process.exit(code));
