import type { AnyCommand } from "../src/core/command.js";
import { caseCommands } from "./case/index.js";
import { liaisonCommands } from "./liaison.js";
import { pppCommands } from "./ppp/index.js";

/** Every command Liaison has, each declared once in its family's file. */
export const allCommands: readonly AnyCommand[] = [...caseCommands, ...liaisonCommands, ...pppCommands];
