// Vitest's global set-up (vitest.config.ts): on PGlite, the migrated database every test file starts from.
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { pgliteTemplatePath } from "./pglite-template";

export default async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const file = pgliteTemplatePath();
  if (existsSync(file)) return;
  const pglite = new PGlite("memory://");
  try {
    await migrate(drizzle(pglite), { migrationsFolder: path.resolve("db/migrations") });
    const dump = await pglite.dumpDataDir("none");
    mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed: a run that stops half-way never leaves a broken template behind.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } finally {
    await pglite.close();
  }
}
