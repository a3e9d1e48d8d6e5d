import "server-only";
import { db, ensureDatabaseReady } from "@/db";
import { env } from "@/lib/env";
import { describeError, installSafeErrorLogging } from "@/lib/describe-error";

/**
 * What the Node.js server does once at start: validate the configuration and bring the database up to date, so a
 * bad value or a failed migration stops start-up instead of failing the first user; seed an empty development
 * database; start the background jobs and the notification sender. Errors are logged only as describeError() describes them, from here on.
 */
export async function startServer(): Promise<void> {
  // First: Next.js logs a failing page or route with console.error(error), whose message may be a query's parameters.
  installSafeErrorLogging({ frames: process.env.NODE_ENV !== "production" });
  try {
    const config = env();
    await ensureDatabaseReady();
    if (!config.isProduction) {
      // `npm run dev` on an empty database: seed the demo tenants and users.
      const { isDatabaseEmpty, seedDemoData, seedPassword } = await import("@/db/seed");
      const { hashPassword } = await import("@/lib/auth/password");
      if (await isDatabaseEmpty(db())) await seedDemoData(db(), { password: seedPassword(false), hashPassword });
    }
    // Tokens stored before they were bound to their rows, or under a rotated key, sealed again in the current form.
    // Not awaited: the old forms keep opening until then (lib/quickbooks/reseal-stored-tokens.ts says why at start-up).
    const { resealStoredTokens } = await import("@/lib/quickbooks/reseal-stored-tokens");
    void resealStoredTokens().then(
      (resealed) => {
        if (resealed.connections + resealed.revocations + resealed.unreadable > 0) console.info(`Stored tokens sealed in the current form: ${JSON.stringify(resealed)}`);
      },
      (error: unknown) => console.error(`Re-sealing stored tokens failed: ${describeError(error)}`),
    );
    if (config.backgroundJobs) {
      // Token renewal and revocation retries: pg-boss on PostgreSQL (its own `pgboss` schema), a timer on PGlite.
      const { requestSweepNow, startBackgroundJobs } = await import("@/lib/jobs/queue");
      await startBackgroundJobs();
      // A sweep now rather than in a minute: after downtime, its CDC catch-up asks Intuit for the changes whose
      // webhooks were missed meanwhile. Not awaited: start-up never waits for Intuit.
      void requestSweepNow().catch((error: unknown) => {
        console.error(`Background jobs: first sweep: ${describeError(error)}`);
      });
    }
    if (config.notificationSender) {
      // Email and outbound webhooks from the outbox (lib/notifications), on whether or not the background jobs run.
      const { startNotificationSender } = await import("@/lib/notifications/sender-loop");
      startNotificationSender();
    }
  } catch (error) {
    // Next.js only logs a failing hook and serves anyway; a server without valid configuration must not start.
    console.error(`QuickBooks Connect cannot start. ${describeError(error)}`);
    process.exit(1);
  }
}
