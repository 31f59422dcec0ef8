import { bindCommand, digestNow, digestSchedule, unbindCommand } from "./channels.js";
import { auditKey, auditVerify, outboxCommand, policyShow } from "./operations.js";
import { pppHelp } from "../help.js";
import { leadsCommand, orgAdd, orgEdit, orgList } from "./orgs.js";
import { coverCommand, oncallCommand, rotationAdd, rotationList, rotationRemove } from "./rotation.js";

/** `/ppp`: administration of the partnership (docs/contract.md §5), in the order help lists it. */
export const pppCommands = [
  orgAdd,
  orgEdit,
  orgList,
  oncallCommand,
  rotationAdd,
  rotationList,
  rotationRemove,
  coverCommand,
  leadsCommand,
  bindCommand,
  unbindCommand,
  policyShow,
  auditVerify,
  auditKey,
  digestNow,
  digestSchedule,
  outboxCommand,
  pppHelp,
];
