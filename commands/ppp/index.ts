import { bindCommand, digestNow, digestSchedule, unbindCommand } from "./channels.js";
import { auditVerify, helpCommand, outboxCommand, policyShow } from "./operations.js";
import { orgAdd, orgEdit, orgList, rosterCommand } from "./orgs.js";

/** `/ppp`: administration of the partnership (docs/contract.md §5), in the order help lists it. */
export const pppCommands = [
  orgAdd,
  orgEdit,
  orgList,
  rosterCommand("oncall"),
  rosterCommand("lead"),
  bindCommand,
  unbindCommand,
  policyShow,
  auditVerify,
  digestNow,
  digestSchedule,
  outboxCommand,
  helpCommand,
];
