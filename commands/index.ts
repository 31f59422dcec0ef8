import type { AnyCommand } from "../src/core/command.js";
import { liaisonCommands } from "./liaison.js";
import { pppCommands } from "./ppp.js";

/** Every command Liaison has, each declared once in its family's file. */
export const allCommands: readonly AnyCommand[] = [...liaisonCommands, ...pppCommands];
