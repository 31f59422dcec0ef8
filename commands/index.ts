import type { AnyCommand } from "../src/core/command.js";
import { caseCommands } from "./case.js";
import { liaisonCommands } from "./liaison.js";
import { pppCommands } from "./ppp.js";

/** Every command Liaison has, each declared once in its family's file. */
export const allCommands: readonly AnyCommand[] = [...caseCommands, ...liaisonCommands, ...pppCommands];
