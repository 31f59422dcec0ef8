import { truncate } from "../../src/model/text.js";
import { type CommandContext } from "../../src/core/command.js";
import { para, privateReply, rich, type Block } from "../../src/model/message.js";
import { opt } from "../../src/core/options.js";
import { parseAmount } from "../../src/domain/amounts.js";
import { caseCard } from "../../src/domain/cases/card.js";
import { type CaseRecord } from "../../src/domain/cases/model.js";
import { parseSubject } from "../../src/domain/subjects.js";

/** What the `/case` commands share: the run environment, the card reply, and the options several commands take. */

export const run = (ctx: CommandContext) => ({ tx: ctx.tx, clock: ctx.clock, services: ctx.services, caller: ctx.caller });
export const cardOf = (ctx: CommandContext, c: CaseRecord): Block => ({ kind: "card", card: caseCard(c, "direct", ctx.services.policy, ctx.now) });
export const done = (message: string) => privateReply(para(rich`${message}`));

export const subjectsOption = opt.list(
  "wallet addresses and transaction hashes, comma-separated (prefix with btc:, eth:, tron: or sol: to name the chain)",
  (item) => {
    const parsed = parseSubject(item);
    return parsed.ok ? parsed.value : { error: `${truncate(item, 100)} is refused: ${parsed.problem}` };
  },
  { optional: true, placeholder: "addr,tx" },
);

export const amountsOption = (description: string) =>
  opt.list(description, (item) => {
    const parsed = parseAmount(item);
    return parsed.ok ? parsed.value : { error: parsed.problem };
  }, { optional: true, max: 20, placeholder: "12.5 BTC,30000 USDT = 30000 USD" });

export const ref = { ref: opt.ref() };
