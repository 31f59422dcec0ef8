import { readFileSync } from "node:fs";
import { parseConfig, readEnvironment } from "./config.js";
import { openDatabase } from "./db/database.js";
import { loadCase } from "./domain/cases/model.js";
import { verifyChain } from "./domain/timeline.js";
import { verifyPack } from "./domain/evidence.js";
import { createLogger } from "./log.js";

/**
 * Operator commands, run next to the bot: `npm run liaison -- audit verify <ref>`, and,
 * anywhere (no database, no configuration), `npm run liaison -- evidence verify <pack.zip>
 * [--key <public.pem>]`. Exit status: 0 intact, 1 broken, 3 no such case or file, 2 bad
 * usage or configuration.
 */

const USAGE = "usage: npm run liaison -- audit verify <case reference>\n       npm run liaison -- evidence verify <pack.zip> (--key <public.pem> | --fingerprint <sha256>)";

function verifyEvidence(args: string[]): number {
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? { at, value: args[at + 1] } : undefined;
  };
  const keyArg = flag("--key");
  const fpArg = flag("--fingerprint");
  const used = new Set([keyArg?.at, keyArg && keyArg.at + 1, fpArg?.at, fpArg && fpArg.at + 1].filter((v): v is number => v !== undefined));
  const rest = args.filter((_, i) => !used.has(i));
  const keyFile = keyArg?.value;
  const [file] = rest;
  if (!file || rest.length > 1 || (keyArg && !keyFile) || (fpArg && !fpArg.value)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let zip: Buffer;
  let key: string | undefined;
  try {
    zip = readFileSync(file);
    key = keyFile ? readFileSync(keyFile, "utf8") : undefined;
  } catch (error) {
    process.stdout.write(`${(error as Error).message}\n`);
    return 3;
  }
  const check = verifyPack(zip, key, fpArg?.value);
  for (const line of check.lines) process.stdout.write(`${line}\n`);
  process.stdout.write(check.ok ? `${file}: the pack is intact\n` : `${file}: the pack does NOT verify\n`);
  return check.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [group, action, ref] = argv;
  if (group === "evidence" && action === "verify") return verifyEvidence(argv.slice(2));
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
      const erased = result.erased ? `; the content of ${result.erased.events} events erased by retention at ${result.erased.at.toISOString()}` : "";
      process.stdout.write(`${upper}: intact (${result.events} events, head ${result.headHash}${erased})\n`);
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
