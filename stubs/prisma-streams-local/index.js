// Liaison replaces @prisma/streams-local with this stub (package.json "overrides"): only
// `prisma dev` (a local Prisma Postgres server) loads it, and Liaison never runs that.
export async function startLocalDurableStreamsServer() {
  throw new Error("@prisma/streams-local is not installed in Liaison (see README.md, Installing): `prisma dev` is not supported here");
}
