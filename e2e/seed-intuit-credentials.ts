// Browser-test fixture: Acme's admin has entered its Intuit app (the emulator's) in Settings; Globex has nothing
// configured, so the readiness test can walk it from all red to all green. The platform itself has no Intuit app.
import { closeDatabase, db } from "@/db";
import { intuitCredentials, tenants } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { eq } from "drizzle-orm";

const secret = "emulator-client-secret";
const [acme] = await db().select().from(tenants).where(eq(tenants.slug, "acme"));
if (!acme) throw new Error("Seed the demo data first.");
await db()
  .insert(intuitCredentials)
  .values({ tenantId: acme.id, environment: "sandbox", clientId: "emulator-client-id", clientSecretEnc: tokenCipher().encrypt(secret), secretLast4: secret.slice(-4) })
  .onConflictDoNothing();
await closeDatabase();
console.log("Acme's Intuit app credentials seeded.");
