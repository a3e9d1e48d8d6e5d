// npm run db:seed: creates the demo tenants and users (password from SEED_PASSWORD). Here rather than in db/ because
// it wires the seed to lib/auth's password hashing, and db/ depends on nothing of lib/ but its configuration.
import { closeDatabase, db, ensureDatabaseReady } from "@/db";
import { DEV_SEED_PASSWORD, seedDemoData, seedPassword } from "@/db/seed";
import { hashPassword } from "@/lib/auth/password";
import { env } from "@/lib/env";

await ensureDatabaseReady();
const password = seedPassword(env().isProduction);
await seedDemoData(db(), { password, hashPassword });
await closeDatabase();
console.log(
  password === DEV_SEED_PASSWORD
    ? `Demo data seeded. Sign in as accountant@acme.test with the development password "${DEV_SEED_PASSWORD}".`
    : "Demo data seeded with SEED_PASSWORD.",
);
