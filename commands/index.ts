import { commandName, type AnyCommand } from "../src/core/command.js";
import { EXAMPLES } from "./examples.js";
import { caseCommands } from "./case/index.js";
import { liaisonCommands } from "./liaison.js";
import { pppCommands } from "./ppp/index.js";

/** Every command Liaison has, each declared once in its family's file. */
export const allCommands: readonly AnyCommand[] = [...caseCommands, ...liaisonCommands, ...pppCommands].map((c) =>
  c.examples ? c : { ...c, examples: EXAMPLES[commandName(c)] ?? [] },
);
