// npm run db:migrate: applies db/migrations to DATABASE_URL, or to the embedded database in .data/pglite.
import { closeDatabase, ensureDatabaseReady } from "./index";

await ensureDatabaseReady();
await closeDatabase();
console.log("Database migrated.");
