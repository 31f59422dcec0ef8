import { openCommands } from "./open.js";
import { exportCommand, listCommand, show } from "./read.js";
import { attachCommand, fileCommand, filesCommand } from "./documents.js";
import { extendCommand, holdCommand, processCommand, releaseCommand } from "./requests.js";
import { workflowCommands } from "./workflow.js";
import { caseHelp } from "../help.js";

/** `/case`: the case desk (docs/contract.md §2), in the order help lists it. */
export const caseCommands = [...openCommands, show, listCommand, ...workflowCommands, processCommand, extendCommand, attachCommand, filesCommand, fileCommand, holdCommand, releaseCommand, exportCommand, caseHelp];
