import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { qboHealthHourly } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { readTenantHealth } from "@/lib/metrics/read-health";
import { startEmulatorServer, type EmulatorServer } from "@/mocks/intuit/server";
import { connectTenant, DEFAULT_REALM, expireAccessToken } from "./connect-helper";
import { useTestDatabase } from "./database";

const run = promisify(execFile);

// Two app processes need a database server they can share: PGlite is embedded in one process by design.
describe.runIf(process.env.DATABASE_URL)("two app instances on one PostgreSQL database", () => {
  let emulator: EmulatorServer;

  beforeAll(async () => {
    emulator = await startEmulatorServer({ port: 0 });
    process.env.INTUIT_DISCOVERY_URL = `${emulator.url}/.well-known/openid_sandbox_configuration`;
    process.env.QBO_API_BASE_URL = emulator.url;
  });
  useTestDatabase();
  afterAll(async () => {
    await emulator.close();
  });

  it("renew an expired token with exactly one token-endpoint call, and every caller in both succeeds", async () => {
    clearDiscoveryCache();
    const { tenantId, outcome } = await connectTenant("accountant@acme.test");
    expect(outcome).toBe("connected");
    await expireAccessToken(tenantId);
    const before = emulator.emulator.calls.tokenRefreshToken;
    // A slow token endpoint makes the two instances' renewals overlap for certain: without the row lock both would
    // reach Intuit.
    emulator.emulator.injectFault({ target: "token", delayMs: 800, times: 2 });

    const startAt = String(Date.now() + 3_000);
    const instance = () =>
      run(process.execPath, ["--import", "tsx", "--conditions=react-server", "tests/fixtures/api-caller.ts"], {
        env: { ...process.env, TENANT_ID: tenantId, CALLERS: "25", START_AT: startAt },
        timeout: 60_000,
      });
    const outputs = await Promise.all([instance(), instance()]);

    const reports = outputs.map((o) => JSON.parse(o.stdout.trim().split("\n").at(-1)!) as { ok: number; failed: string[] });
    expect(reports.map((r) => r.failed)).toEqual([[], []]);
    expect(reports.map((r) => r.ok)).toEqual([25, 25]);
    expect(emulator.emulator.calls.tokenRefreshToken - before).toBe(1);
  }, 90_000);

  it("1,000 calls for one realm from two instances keep Intuit's rate and concurrency, and all of them succeed", async () => {
    clearDiscoveryCache();
    const { tenantId } = await connectTenant("accountant@acme.test");
    // Intuit's limits with the window scaled from a minute to 3 s, so 1,000 calls take seconds, not two minutes:
    // the emulator enforces exactly what the app is told to keep.
    const limits = { requestsPerWindow: 250, windowMs: 3_000, concurrent: 10 };
    emulator.emulator.reset();
    emulator.emulator.setLimits(limits);
    // Reset forgot the tokens: connect again.
    const { outcome } = await connectTenant("accountant@acme.test");
    expect(outcome).toBe("connected");
    await db().delete(qboHealthHourly).where(sql`true`);

    const startAt = String(Date.now() + 3_000);
    const instance = () =>
      run(process.execPath, ["--import", "tsx", "--conditions=react-server", "tests/fixtures/api-caller.ts"], {
        env: { ...process.env, TENANT_ID: tenantId, CALLERS: "500", CONCURRENCY: "25", START_AT: startAt, LIMITS: JSON.stringify(limits), MAX_WAIT_MS: "60000" },
        timeout: 120_000,
      });
    const outputs = await Promise.all([instance(), instance()]);
    const reports = outputs.map((o) => JSON.parse(o.stdout.trim().split("\n").at(-1)!) as { ok: number; failed: string[]; failedKinds: string[] });

    // Every call succeeded (or would have failed as a typed throttled error: none needed to).
    expect(reports.flatMap((r) => r.failedKinds.filter((kind) => kind !== "throttled"))).toEqual([]);
    expect(reports.reduce((sum, r) => sum + r.ok, 0)).toBe(1_000);
    const stats = emulator.emulator.limitStats()[DEFAULT_REALM]!;
    expect(stats.throttled).toBe(0);
    expect(stats.maxInWindow).toBeLessThanOrEqual(limits.requestsPerWindow);
    expect(stats.maxConcurrent).toBeLessThanOrEqual(limits.concurrent);
    // The limiter made callers wait, and the dashboard's data says so.
    const health = await readTenantHealth(tenantId, "24h");
    expect(health.totals.throttleHits).toBeGreaterThan(0);
    expect(health.totals.apiCalls).toBeGreaterThanOrEqual(1_000);
  }, 150_000);
});
