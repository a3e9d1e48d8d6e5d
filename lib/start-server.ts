import "server-only";
import { db, ensureDatabaseReady } from "@/db";
import { env } from "@/lib/env";

/**
 * What the Node.js server does once at start: validate the configuration and bring the database up to date, so a
 * bad value or a failed migration stops start-up instead of failing the first user; seed an empty development
 * database; start the background jobs.
 */
export async function startServer(): Promise<void> {
  try {
    const config = env();
    await ensureDatabaseReady();
    if (!config.isProduction) {
      // `npm run dev` on an empty database: seed the demo tenants and users.
      const { isDatabaseEmpty, seedDemoData, seedPassword } = await import("@/db/seed");
      const { hashPassword } = await import("@/lib/auth/password");
      if (await isDatabaseEmpty(db())) await seedDemoData(db(), { password: seedPassword(false), hashPassword });
    }
    if (config.backgroundJobs) {
      // Token renewal and revocation retries: pg-boss on PostgreSQL (its own `pgboss` schema), a timer on PGlite.
      const { requestSweepNow, startBackgroundJobs } = await import("@/lib/jobs/queue");
      await startBackgroundJobs();
      // A sweep now rather than in a minute: after downtime, its CDC catch-up asks Intuit for the changes whose
      // webhooks were missed meanwhile. Not awaited: start-up never waits for Intuit.
      void requestSweepNow().catch((error: unknown) => {
        console.error(`Background jobs: first sweep: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  } catch (error) {
    // Next.js only logs a failing hook and serves anyway; a server without valid configuration must not start.
    console.error(`QuickBooks Connect cannot start. ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
