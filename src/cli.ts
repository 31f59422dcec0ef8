import { parseConfig, readEnvironment } from "./config.js";
import { openDatabase } from "./db/database.js";
import { loadCase } from "./domain/cases/model.js";
import { verifyChain } from "./domain/timeline.js";
import { createLogger } from "./log.js";

/**
 * Operator commands, run next to the bot: `npm run liaison -- audit verify <ref>`.
 * Exit status: 0 intact, 1 broken, 3 no such case, 2 bad usage or configuration.
 */

const USAGE = "usage: npm run liaison -- audit verify <case reference>";

async function main(argv: string[]): Promise<number> {
  const [group, action, ref] = argv;
  if (group !== "audit" || action !== "verify" || !ref) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const parsed = parseConfig(readEnvironment());
  if (!parsed.ok) {
    for (const problem of parsed.problems) process.stderr.write(`invalid configuration: ${problem}\n`);
    return 2;
  }
  const log = createLogger({ level: parsed.config.logLevelExplicit ? parsed.config.logLevel : "warn" });
  const db = await openDatabase(parsed.config.storage, { log });
  try {
    const upper = ref.toUpperCase();
    const result = await db.tx(async (tx) => {
      const c = await loadCase(tx, { ref: upper });
      return c ? verifyChain(tx, c) : null;
    });
    if (!result) {
      process.stdout.write(`${upper}: no such case\n`);
      return 3;
    }
    if (result.intact) {
      process.stdout.write(`${upper}: intact (${result.events} events, head ${result.headHash})\n`);
      return 0;
    }
    process.stdout.write(`${upper}: NOT intact — ${result.problem}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

const code = await main(process.argv.slice(2));
process.stdout.write("", () => process.exit(code));
