import { and, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { GET as callbackRoute } from "@/app/api/quickbooks/callback/route";
import { GET as connectRoute } from "@/app/api/quickbooks/connect/route";
import { db } from "@/db";
import { callbackLogs, oauthStates, quickbooksConnections, refreshLogs, tokenRevocations } from "@/db/schema";
import { completeConsent } from "@/mocks/intuit/node";
import { appRequest, sessionCookie, tenantId, tenantSlugOf } from "./session";

export const DEFAULT_REALM = "9341452000000001";

/**
 * Connects a seeded user's tenant through the real route handlers and the emulator's consent, as a browser would:
 * connect → consent → callback (which verifies). Returns the session cookie and the console's outcome code.
 */
export async function connectTenant(email: string, realmId = DEFAULT_REALM, options: { fetch?: typeof fetch } = {}) {
  const cookie = await sessionCookie(email);
  const start = await connectRoute(appRequest("/api/quickbooks/connect", { cookie }));
  expect(start.status).toBe(302);
  const intuitRedirect = await completeConsent(start.headers.get("location")!, { realmId, fetch: options.fetch });
  const landing = await callbackRoute(appRequest(`/api/quickbooks/callback${intuitRedirect.search}`, { cookie }));
  expect(landing.status).toBe(302);
  const outcome = new URL(landing.headers.get("location")!).searchParams.get("callback");
  return { cookie, outcome, tenantId: await tenantId(tenantSlugOf(email)) };
}

export async function connectionRow(tenant: string) {
  const [row] = await db()
    .select()
    .from(quickbooksConnections)
    .where(and(eq(quickbooksConnections.tenantId, tenant), eq(quickbooksConnections.environment, "sandbox")));
  return row ?? null;
}

/** Makes the stored access token look expired, as an hour without use would. */
export async function expireAccessToken(tenant: string): Promise<void> {
  await db()
    .update(quickbooksConnections)
    .set({ accessTokenExpiresAt: new Date(Date.now() - 60_000) })
    .where(eq(quickbooksConnections.tenantId, tenant));
}

/** Forgets every connection and its logs, so each test starts from "not connected". */
export async function resetQuickBooksData(): Promise<void> {
  const everything = sql`true`;
  await db().delete(tokenRevocations).where(everything);
  await db().delete(refreshLogs).where(everything);
  await db().delete(callbackLogs).where(everything);
  await db().delete(oauthStates).where(everything);
  await db().delete(quickbooksConnections).where(everything);
}
