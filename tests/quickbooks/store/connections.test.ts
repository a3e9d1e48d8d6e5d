import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditEvents, quickbooksConnections, tenants } from "@/db/schema";
import { InvalidTransitionError } from "@/lib/quickbooks/rules/connection-state";
import { lockOrCreateConnection, recordConnectionError, transitionConnection } from "@/lib/quickbooks/store/connections";
import { useTestDatabase } from "@/tests/database";

useTestDatabase();

const at = new Date("2026-12-07T12:00:00Z");

let tenantCount = 0;
/** A tenant of its own for each test: the file's database is shared, and the audit trail cannot be emptied. */
async function freshTenant(): Promise<string> {
  const n = ++tenantCount;
  const [row] = await db().insert(tenants).values({ name: `Tenant ${n}`, slug: `tenant-${n}` }).returning({ id: tenants.id });
  return row!.id;
}
const actor = { userId: null };

async function connectionOf(tenant: string) {
  const [row] = await db().select().from(quickbooksConnections).where(eq(quickbooksConnections.tenantId, tenant));
  return row!;
}

async function auditOf(tenant: string) {
  return db().select().from(auditEvents).where(eq(auditEvents.tenantId, tenant)).orderBy(auditEvents.id);
}

/** Moves the tenant's connection in a transaction of its own, as a use-case does. */
const move = (tenant: string, ...[to, reason, effects]: Parameters<typeof transitionConnection> extends [unknown, unknown, ...infer R] ? R : never) =>
  db().transaction(async (tx) => transitionConnection(tx, await lockOrCreateConnection(tx, tenant, "sandbox"), to, reason, effects));

describe("transitionConnection", () => {
  it("writes the status, the move's columns and its audit event with where it came from", async () => {
    const acme = await freshTenant();
    await move(acme, "authorizing", "authorization_started", { at, actor, changes: { authorizationStartedAt: at }, details: { pkce: false } });
    expect(await connectionOf(acme)).toMatchObject({ status: "authorizing", authorizationStartedAt: at });
    const [event] = await auditOf(acme);
    expect(event).toMatchObject({ action: "connection.authorization_started", outcome: "success", target: "quickbooks:sandbox" });
    expect(event!.details).toEqual({ from: "not_connected", to: "authorizing", pkce: false });
  });

  it("refuses a move the state machine does not allow, and writes nothing", async () => {
    const acme = await freshTenant();
    await expect(move(acme, "active", "verified", { at, actor })).rejects.toThrow(InvalidTransitionError);
    expect(await db().select().from(quickbooksConnections).where(eq(quickbooksConnections.tenantId, acme))).toEqual([]);
    expect(await auditOf(acme)).toEqual([]);
  });

  it("records connection.activated when a connection becomes active, and not when it already was", async () => {
    const acme = await freshTenant();
    await move(acme, "authorizing", "authorization_started", { at, actor });
    await move(acme, "callback_received", "tokens_stored", { at, actor, changes: { realmId: "9341452000000001" } });
    await move(acme, "active", "verified", { at, actor });
    await move(acme, "active", "verified", { at, actor });
    const actions = (await auditOf(acme)).map((e) => e.action);
    expect(actions).toEqual([
      "connection.authorization_started",
      "connection.tokens_stored",
      "connection.verified",
      "connection.activated",
      "connection.verified",
    ]);
    expect((await auditOf(acme)).at(-1)!.target).toBe("quickbooks:sandbox:9341452000000001");
  });

  it("records why a grant is lost, clears the error on a move that resolves it, and keeps it on one that does not", async () => {
    const acme = await freshTenant();
    await move(acme, "authorizing", "authorization_started", { at, actor });
    await move(acme, "callback_received", "tokens_stored", { at, actor, changes: { realmId: "9341452000000002" } });
    await move(acme, "reauthorization_required", "grant_refused", { at, actor });
    expect(await connectionOf(acme)).toMatchObject({ status: "reauthorization_required", lastErrorStep: "refresh", lastErrorCode: "invalid_grant", lastErrorAt: at });
    expect((await auditOf(acme)).at(-1)).toMatchObject({ action: "connection.reauthorization_required", outcome: "failure" });

    // A new Connect keeps the connection (and its error) until the consent comes back.
    await move(acme, "reauthorization_required", "authorization_started", { at, actor });
    expect(await connectionOf(acme)).toMatchObject({ status: "reauthorization_required", lastErrorCode: "invalid_grant" });
    await move(acme, "callback_received", "tokens_stored", { at, actor });
    expect(await connectionOf(acme)).toMatchObject({ status: "callback_received", lastErrorStep: null, lastErrorCode: null, lastErrorMessage: null, lastErrorAt: null });
  });
});

describe("recordConnectionError", () => {
  it("shows an error on the tenant's connection without moving it", async () => {
    const [acme, globex] = [await freshTenant(), await freshTenant()];
    for (const tenant of [acme, globex]) await move(tenant, "authorizing", "authorization_started", { at, actor });
    await recordConnectionError(db(), { tenantId: acme, environment: "sandbox" }, { step: "callback", code: "access_denied", message: "Cancelled.", at });
    expect(await connectionOf(acme)).toMatchObject({ status: "authorizing", lastErrorStep: "callback", lastErrorCode: "access_denied" });
    expect(await connectionOf(globex)).toMatchObject({ lastErrorCode: null });
    const [row] = await db()
      .select()
      .from(quickbooksConnections)
      .where(and(eq(quickbooksConnections.tenantId, acme), eq(quickbooksConnections.environment, "production")));
    expect(row).toBeUndefined();
  });
});
