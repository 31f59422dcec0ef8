import { statement } from "../sql.js";
import { insertRows } from "./rows-json.js";

/** Queuing messages: every outbox row of a batch in one statement, in the order they were written. */
export const insertOutbox = statement<{ rows: unknown[][] }>(
  "insert_outbox",
  insertRows("outbox", [
    ["key", "text"],
    ["platform", "text"],
    ["kind", "text"],
    ["channel_id", "text"],
    ["case_thread_id", "int"],
    ["case_id", "int"],
    ["audience", "text"],
    ["member_id", "int"],
    ["binding_id", "int"],
    ["order_key", "text"],
    ["payload", "text"],
    ["next_attempt_at", "ts"],
    ["deadline_at", "ts"],
    ["created_at", "ts"],
  ]),
);
