// npm run db:seed: creates the demo tenants and users (password from SEED_PASSWORD).
import { env } from "@/lib/env";
import { closeDatabase, db, ensureDatabaseReady } from "./index";
import { DEV_SEED_PASSWORD, seedDemoData, seedPassword } from "./seed";

await ensureDatabaseReady();
const password = seedPassword(env().isProduction);
await seedDemoData(db(), { password });
await closeDatabase();
console.log(
  password === DEV_SEED_PASSWORD
    ? `Demo data seeded. Sign in as accountant@acme.test with the development password "${DEV_SEED_PASSWORD}".`
    : "Demo data seeded with SEED_PASSWORD.",
);
