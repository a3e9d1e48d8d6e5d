// Runs once when the server starts: validate the configuration and bring the database up to date, so a bad value
// or a failed migration stops start-up instead of failing the first user.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  const config = env();
  const { ensureDatabaseReady, db } = await import("@/db");
  await ensureDatabaseReady();
  if (!config.isProduction) {
    // `npm run dev` on an empty database: seed the demo tenants and users.
    const { isDatabaseEmpty, seedDemoData, seedPassword } = await import("@/db/seed");
    if (await isDatabaseEmpty(db())) await seedDemoData(db(), { password: seedPassword(false) });
  }
}
