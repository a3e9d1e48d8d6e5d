// The database pool while Intuit's token endpoint hangs (issue 15, point 5): a renewal holds no database connection
// while Intuit answers (on PGlite there is only one), and one limit bounds the renewals in flight in the process,
// whatever started them, below the pool's 10 connections.
import { eq, like } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { db } from "@/db";
import { quickbooksConnections, tenants } from "@/db/schema";
import { env } from "@/lib/env";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { runRenewalSweep } from "@/lib/jobs/renewal-sweep";
import { renewAccessToken, sealTokenSet } from "@/lib/quickbooks/client/access-token";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";
import { appRequest } from "@/tests/session";

useTestDatabase();
const intuit = useIntuitMock();

const MINUTE = 60_000;
const REALM_PREFIX = "5551";
const TOKEN_PATH = "/oauth2/v1/tokens/bearer";
let seeded = 0;

beforeEach(async () => {
  clearDiscoveryCache();
  await resetQuickBooksData();
});

/**
 * `count` tenants connected with grants the emulator issued, their access tokens expiring in 2 minutes. In use: due
 * for the renewal sweep; idle (last used two days ago): not.
 */
async function seedConnections(count: number, { inUse }: { inUse: boolean }): Promise<string[]> {
  const realmIds = Array.from({ length: count }, (_, i) => `${REALM_PREFIX}${String(seeded * 100 + i).padStart(8, "0")}`);
  const created = await db()
    .insert(tenants)
    .values(realmIds.map(() => ({ slug: `pool-${++seeded}`, name: `Pool ${seeded}` })))
    .returning({ id: tenants.id });
  const now = new Date();
  for (const [i, grant] of intuit.emulator.createGrants(realmIds).entries()) {
    const [row] = await db()
      .insert(quickbooksConnections)
      .values({ tenantId: created[i]!.id, environment: "sandbox", status: "active", realmId: grant.realmId, verifiedAt: now, lastCatchUpAt: now })
      .returning();
    const tokens = { ...grant, expiresInSeconds: 120, refreshTokenExpiresInSeconds: grant.refreshExpiresInSeconds, refreshTokenHardExpiresInSeconds: grant.hardExpiresInSeconds, idToken: null, intuitTid: null };
    await db()
      .update(quickbooksConnections)
      .set({ ...sealTokenSet(tokens, now, row!), lastUsedAt: new Date(now.getTime() - (inUse ? MINUTE : 48 * 60 * MINUTE)), lastRefreshedAt: new Date(now.getTime() - 58 * MINUTE) })
      .where(eq(quickbooksConnections.id, row!.id));
  }
  return created.map((row) => row.id);
}

/** Token requests the emulator is answering right now, and the most at once. */
function watchTokenRequests() {
  let inFlight = 0;
  let most = 0;
  const ids = new Set<string>();
  intuit.server.events.on("request:start", ({ request, requestId }) => {
    if (!request.url.endsWith(TOKEN_PATH)) return;
    ids.add(requestId);
    most = Math.max(most, ++inFlight);
  });
  intuit.server.events.on("response:mocked", ({ requestId }) => {
    if (ids.delete(requestId)) inFlight -= 1;
  });
  return { inFlight: () => inFlight, most: () => most, stop: () => intuit.server.events.removeAllListeners() };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("renewals while Intuit's token endpoint hangs", () => {
  it("hold no database connection: the status route answers at once, and at most the process's limit is in flight, sweep and on-demand together", async () => {
    const { cookie, outcome } = await connectTenant("accountant@acme.test");
    expect(outcome).toBe("connected");
    const onDemand = await seedConnections(8, { inUse: false });
    const swept = await seedConnections(6, { inUse: true });
    const limit = env().renewalConcurrency;
    expect(limit).toBeLessThan(10);
    // Every renewal below waits 2 s for Intuit, then gets its answer.
    intuit.emulator.injectFault({ target: "token", delayMs: 2_000, times: onDemand.length + swept.length });
    const watch = watchTokenRequests();
    try {
      const renewals = onDemand.map(async (tenantId) => renewAccessToken({ tenantId, app: await intuitAppFor(tenantId), trigger: "on_demand", force: true }));
      const sweep = runRenewalSweep({ now: new Date() });
      await waitFor("the token endpoint to be asked", () => watch.inFlight() > 0);
      // Time for every renewal and the sweep to have started.
      await new Promise((resolve) => setTimeout(resolve, 300));

      // The console's status route, while every renewal slot is waiting on Intuit.
      const started = performance.now();
      const status = await statusRoute(appRequest("/api/quickbooks/status", { cookie }));
      const took = performance.now() - started;
      expect(status.status).toBe(200);
      expect(took).toBeLessThan(1_000);
      expect(watch.inFlight()).toBeGreaterThan(0);

      const results = await Promise.all(renewals);
      expect(results.every((r) => r.renewed)).toBe(true);
      expect(await sweep).toMatchObject({ examined: swept.length, renewed: swept.length, failed: 0 });
      // The limit was reached (so renewals did run side by side, even on PGlite's one connection) and never passed.
      expect(watch.most()).toBe(limit);
    } finally {
      watch.stop();
    }
    // Every connection stores the refresh token Intuit now holds live for its company.
    const rows = await db().select().from(quickbooksConnections).where(like(quickbooksConnections.realmId, `${REALM_PREFIX}%`));
    expect(rows).toHaveLength(onDemand.length + swept.length);
    for (const row of rows) expect(intuit.emulator.activeTokens({ realmId: row.realmId!, kind: "refresh" })).toHaveLength(1);
    expect(intuit.emulator.grantRefreshStats()).toMatchObject({ grantsRefreshedMoreThanOnce: 0, refreshTokenReuses: 0 });
  }, 60_000);
});
