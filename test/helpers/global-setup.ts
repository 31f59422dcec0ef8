import { assertPostgresReachable } from "./postgres.js";

export default async function setup() {
  await assertPostgresReachable();
}
