import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { closeDatabase, db, ensureDatabaseReady } from "@/db";
import { seedDemoData } from "@/db/seed";
import { hashPassword } from "@/lib/auth/password";
import { resetEnvForTests } from "@/lib/env";
import { pgliteTemplatePath } from "./pglite-template";

export const TEST_PASSWORD = "test-password-1";

/**
 * A fresh, migrated, seeded database for one test file: an in-memory PGlite by default, or a new database on the
 * PostgreSQL server named by DATABASE_URL (dropped afterwards), so files can run in parallel without sharing rows.
 */
export function useTestDatabase(): void {
  const serverUrl = process.env.DATABASE_URL;
  let createdName: string | null = null;

  beforeAll(async () => {
    if (serverUrl) {
      createdName = `qbc_test_${randomBytes(6).toString("hex")}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${createdName}`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${createdName}`;
      process.env.DATABASE_URL = url.href;
    } else {
      process.env.PGLITE_DATA_DIR = "memory://";
      // Migrated once for the whole run (tests/global-setup.ts); the migrations still run, and find nothing to do.
      const template = pgliteTemplatePath();
      if (existsSync(template)) process.env.PGLITE_TEMPLATE = template;
    }
    resetEnvForTests();
    await ensureDatabaseReady();
    await seedDemoData(db(), { password: TEST_PASSWORD, hashPassword });
  });

  afterAll(async () => {
    await closeDatabase();
    if (serverUrl && createdName) {
      process.env.DATABASE_URL = serverUrl;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${createdName} with (force)`);
      await admin.end();
    }
  });
}
