// Issue 15, point 7: lookups by realm always include the environment. A sandbox company and a production company
// may have the same realm id (they are separate namespaces at Intuit), so the same id held in both environments must
// never lead the Reconnect URL, a webhook event, its processing or the CDC catch-up to the other environment's company.
import { and, eq, inArray } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { quickbooksChanges, quickbooksConnections, tenantIntuitSettings, users, webhookEvents } from "@/db/schema";
import type { Actor } from "@/lib/auth/session";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { catchUpChanges } from "@/lib/quickbooks/catch-up-changes";
import { findReconnectTarget } from "@/lib/quickbooks/find-reconnect-target";
import { processPendingWebhookEvents } from "@/lib/quickbooks/process-webhook-events";
import { storeDeliveries } from "@/lib/quickbooks/receive-webhook";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, DEFAULT_REALM } from "./connect-helper";
import { useTestDatabase } from "./database";
import { tenantId } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

/** One realm id, used by a sandbox company (the emulator's) and by a production company. */
const REALM = DEFAULT_REALM;
let acme = "";
let globex = "";

async function connection(tenant: string, environment: "sandbox" | "production") {
  await db()
    .insert(quickbooksConnections)
    .values({ tenantId: tenant, environment, status: "active", realmId: REALM, companyName: `${environment} company`, connectedAt: new Date() });
}

async function connections() {
  return db().select().from(quickbooksConnections).where(inArray(quickbooksConnections.tenantId, [acme, globex]));
}

/** One webhook delivery of a change to the realm, stored as the endpoint stores it, and processed. */
async function deliverChange(entityId: string) {
  const occurredAt = new Date(Date.now() - 1_000);
  await storeDeliveries([
    { format: "cloudevents", contentType: "application/json", bodyBytes: 100, receivedAt: new Date(), events: [{ key: `ce:${entityId}`, realmId: REALM, entity: "customer", entityId, operation: "Update", occurredAt }] },
  ]);
  await processPendingWebhookEvents();
  const [event] = await db().select().from(webhookEvents).where(eq(webhookEvents.eventKey, `ce:${entityId}`));
  return event!;
}

beforeEach(async () => {
  clearDiscoveryCache();
  acme = await tenantId("acme");
  globex = await tenantId("globex");
  await db().delete(quickbooksChanges).where(inArray(quickbooksChanges.tenantId, [acme, globex]));
  await db().delete(quickbooksConnections).where(inArray(quickbooksConnections.tenantId, [acme, globex]));
  await db().delete(tenantIntuitSettings).where(inArray(tenantIntuitSettings.tenantId, [acme, globex]));
});

describe("the same realm id in sandbox and in production", () => {
  it("Reconnect goes to the tenant holding the realm in the environment it works in, not to one holding it in the other", async () => {
    // Acme works in the sandbox (the platform's environment) but still holds the id in production; Globex holds it
    // in the sandbox. Intuit's Reconnect URL names the sandbox company: Globex's.
    await connection(acme, "production");
    await connection(globex, "sandbox");
    const [admin] = await db().select().from(users).where(eq(users.email, "admin@acme.test"));
    const actor: Actor = { userId: admin!.id, email: admin!.email, name: admin!.name, tenantId: acme, tenantName: "Acme Field Services", role: "admin", isPlatformOperator: false };

    const target = await findReconnectTarget(actor, REALM);

    expect(target?.actor.tenantId).toBe(globex);
  });

  it("a webhook event is routed to the platform environment's company only, and processing touches only that connection", async () => {
    // Only a production company has the id: the (sandbox) webhook is of no company of ours.
    await connection(acme, "production");
    const unknown = await deliverChange("1");
    expect(unknown).toMatchObject({ tenantId: null, status: "ignored" });

    // Globex holds the id in both environments: the change is its sandbox company's.
    await db().delete(quickbooksConnections).where(eq(quickbooksConnections.tenantId, acme));
    await connection(globex, "sandbox");
    await connection(globex, "production");
    const routed = await deliverChange("2");
    expect(routed).toMatchObject({ tenantId: globex, status: "processed" });

    const seen = Object.fromEntries((await connections()).map((c) => [c.environment, c.lastChangeSeenAt]));
    expect(seen.sandbox).toBeInstanceOf(Date);
    expect(seen.production).toBeNull();
    const changes = await db().select().from(quickbooksChanges).where(and(eq(quickbooksChanges.tenantId, globex), eq(quickbooksChanges.realmId, REALM)));
    expect(changes.map((c) => ({ environment: c.environment, entityId: c.entityId }))).toEqual([{ environment: "sandbox", entityId: "2" }]);
  });

  it("the CDC catch-up of the sandbox company does not take a production change of the same id for its own", async () => {
    expect((await connectTenant("accountant@globex.test", REALM)).outcome).toBe("connected");
    await connection(globex, "production");
    const at = intuit.emulator.now().getTime() - 30_000;
    // The production company's Customer 1 changed at the same second, and that change is recorded.
    await db()
      .insert(quickbooksChanges)
      .values({ tenantId: globex, environment: "production", realmId: REALM, entity: "customer", entityId: "1", operation: "update", changedAt: new Date(Math.floor(at / 1000) * 1000), source: "webhook" });
    intuit.emulator.recordChange(REALM, { entity: "Customer", id: "1", operation: "Update", at });

    expect(await catchUpChanges(globex)).toMatchObject({ reported: 1, recorded: 1, alreadyKnown: 0 });
    const sandbox = await db().select().from(quickbooksChanges).where(and(eq(quickbooksChanges.tenantId, globex), eq(quickbooksChanges.environment, "sandbox")));
    expect(sandbox).toMatchObject([{ realmId: REALM, entity: "customer", entityId: "1", source: "cdc" }]);
  });
});
