import { defineConfig } from "drizzle-kit";

// Migrations are generated from db/schema and applied by the app's own migrate step (db/migrate.ts).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  ...(process.env.DATABASE_URL
    ? { dbCredentials: { url: process.env.DATABASE_URL } }
    : { driver: "pglite", dbCredentials: { url: "./.data/pglite" } }),
});
