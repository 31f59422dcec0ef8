import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root, found from this file whether it runs from src/ (tests) or dist/src/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "prisma", "migrations")) && existsSync(join(dir, "package.json"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("cannot find the project root (a folder with package.json and prisma/migrations)");
}

export const projectRoot = findRoot();
export const migrationsDir = (provider: string) => join(projectRoot, "prisma", "migrations", provider);
