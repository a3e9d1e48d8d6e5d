import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { startEmulatorServer, type EmulatorServer } from "@/mocks/intuit/server";
import { connectTenant, expireAccessToken } from "./connect-helper";
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
});
