import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST as revokeRoute } from "@/app/api/quickbooks/api-keys/[id]/revoke/route";
import { POST as rotateRoute } from "@/app/api/quickbooks/api-keys/[id]/rotate/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/quickbooks/api-keys/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { db } from "@/db";
import { apiKeys, auditEvents } from "@/db/schema";
import { settleApiKeyUsage } from "@/lib/api-keys/authenticate-api-key";
import { hashKey, keyMatches } from "@/lib/api-keys/key-material";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { expireApiKey, keyRequest } from "./api-key-helper";
import { connectTenant } from "./connect-helper";
import { useTestDatabase } from "./database";
import { consoleHeaders, sessionCookie, tenantId } from "./session";

useTestDatabase();
useIntuitMock();

const APP = "http://localhost:3000";
const DAY_MS = 86_400_000;

function adminRequest(path: string, cookie: string, body?: unknown): Request {
  const headers = new Headers({ accept: "application/json", ...consoleHeaders(cookie) });
  if (body !== undefined) headers.set("content-type", "application/json");
  return new Request(new URL(path, APP), { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const params = (id: string) => ({ params: Promise.resolve({ id }) });
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

async function create(cookie: string, body: Record<string, unknown>) {
  const response = await createRoute(adminRequest("/api/quickbooks/api-keys", cookie, body));
  return { status: response.status, body: (await response.json()) as { key: string; apiKey: { id: string; prefix: string; status: string } } & { error?: { code: string } } };
}

async function status(key: string) {
  const response = await statusRoute(keyRequest("/api/quickbooks/status", key));
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
}

async function auditOf(action: string, apiKeyPrefix: string) {
  return db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.target, `api_key:${apiKeyPrefix}`)));
}

describe("API keys", () => {
  it("creates a key shown once: only its prefix and SHA-256 are stored, never the key (the whole database is searched)", async () => {
    const admin = await sessionCookie("admin@acme.test");
    const created = await create(admin, { name: "Ledger sync", scopes: ["status:read"], expiresAt: inDays(90) });
    expect(created.status).toBe(201);
    const { key, apiKey } = created.body;
    expect(key).toMatch(/^qbc_live_[a-z2-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`${apiKey.prefix}_`)).toBe(true);

    const [row] = await db().select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row!.secretHash).toBe(hashKey(key));
    expect(keyMatches(key, row!.secretHash)).toBe(true);
    expect(keyMatches(`${key.slice(0, -1)}x`, row!.secretHash)).toBe(false);

    // A dump of every table as text: the key's secret part appears nowhere.
    const secret = key.slice(apiKey.prefix.length + 1);
    const tables = await db().execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    const names = (Array.isArray(tables) ? tables : (tables as { rows: { table_name: string }[] }).rows).map((t) => t.table_name);
    expect(names).toContain("api_keys");
    for (const name of names) {
      const dump = await db().execute(sql.raw(`select coalesce(string_agg(t::text, E'\\n'), '') as dump from "${name}" t`));
      const text = JSON.stringify(dump);
      expect(text.includes(secret), `the key is in ${name}`).toBe(false);
    }

    // The list never shows it again.
    const list = await listRoute(new Request(`${APP}/api/quickbooks/api-keys`, { headers: { cookie: admin } }));
    expect(list.status).toBe(200);
    const listed = JSON.stringify(await list.json());
    expect(listed).toContain(apiKey.prefix);
    expect(listed).not.toContain(secret);
    expect(listed).not.toContain(row!.secretHash);

    expect(await auditOf("api_key.created", apiKey.prefix)).toHaveLength(1);
    expect((await status(key)).status).toBe(200);
  });

  it("refuses an expiry more than a year ahead, in the past, or missing (400), and a scope outside the closed list", async () => {
    const admin = await sessionCookie("admin@acme.test");
    expect((await create(admin, { name: "x", scopes: ["status:read"], expiresAt: inDays(367) })).status).toBe(400);
    expect((await create(admin, { name: "x", scopes: ["status:read"], expiresAt: inDays(-1) })).status).toBe(400);
    expect((await create(admin, { name: "x", scopes: ["status:read"] })).status).toBe(400);
    expect((await create(admin, { name: "x", scopes: ["credentials:manage"], expiresAt: inDays(30) })).status).toBe(400);
    expect((await create(admin, { name: "x", scopes: [], expiresAt: inDays(30) })).status).toBe(400);
    const lastDay = new Date(Date.now() + 365 * DAY_MS).toISOString().slice(0, 10);
    expect((await create(admin, { name: "x", scopes: ["status:read"], expiresAt: lastDay })).status).toBe(201);
  });

  it("is managed by admins only (403), and a key can never manage keys", async () => {
    for (const email of ["accountant@acme.test", "auditor@acme.test"]) {
      const cookie = await sessionCookie(email);
      expect((await create(cookie, { name: "x", scopes: ["status:read"], expiresAt: inDays(30) })).status).toBe(403);
    }
    const admin = await sessionCookie("admin@acme.test");
    const { key, apiKey } = (await create(admin, { name: "all scopes", scopes: ["status:read", "logs:read", "logs:export", "verify:trigger"], expiresAt: inDays(30) })).body;
    const body = { name: "minted by a key", scopes: ["status:read"], expiresAt: inDays(30) };
    const byKey = await createRoute(keyRequest("/api/quickbooks/api-keys", key, { method: "POST", body }));
    expect(byKey.status).toBe(403);
    expect(((await byKey.json()) as { error: { code: string } }).error.code).toBe("insufficient_scope");
    expect((await listRoute(keyRequest("/api/quickbooks/api-keys", key))).status).toBe(403);
    expect((await revokeRoute(keyRequest(`/api/quickbooks/api-keys/${apiKey.id}/revoke`, key, { method: "POST" }), params(apiKey.id))).status).toBe(403);
    expect((await rotateRoute(keyRequest(`/api/quickbooks/api-keys/${apiKey.id}/rotate`, key, { method: "POST", body: { graceDays: 1 } }), params(apiKey.id))).status).toBe(403);
    // A key in a cookie is not a key: the request is signed out.
    const cookieKey = await statusRoute(new Request(`${APP}/api/quickbooks/status`, { headers: { cookie: `authjs.session-token=${key}; api_key=${key}` } }));
    expect(cookieKey.status).toBe(401);
    expect(((await cookieKey.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
  });

  it("answers 401 invalid_api_key for unknown, malformed, expired and revoked keys; 403 out of scope", async () => {
    const admin = await sessionCookie("admin@acme.test");
    const { key, apiKey } = (await create(admin, { name: "status", scopes: ["status:read"], expiresAt: inDays(30) })).body;
    const forged = `${apiKey.prefix}_${"A".repeat(43)}`;
    for (const bad of [forged, "qbc_live_abcdefgh_" + "B".repeat(43), "not-a-key", ""]) {
      const answer = await status(bad);
      expect(answer.status).toBe(401);
      expect(answer.body.error?.code).toBe("invalid_api_key");
    }
    const outOfScope = await verifyRoute(keyRequest("/api/quickbooks/verify", key, { method: "POST" }));
    expect(outOfScope.status).toBe(403);

    await expireApiKey(apiKey.id);
    expect((await status(key)).body.error?.code).toBe("invalid_api_key");

    const second = (await create(admin, { name: "to revoke", scopes: ["status:read"], expiresAt: inDays(30) })).body;
    expect((await status(second.key)).status).toBe(200);
    const revoked = await revokeRoute(adminRequest(`/api/quickbooks/api-keys/${second.apiKey.id}/revoke`, admin), params(second.apiKey.id));
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { apiKey: { status: string } }).apiKey.status).toBe("revoked");
    expect((await status(second.key)).status).toBe(401);
    expect(await auditOf("api_key.revoked", second.apiKey.prefix)).toHaveLength(1);
    // Revoking again changes nothing and records nothing more.
    await revokeRoute(adminRequest(`/api/quickbooks/api-keys/${second.apiKey.id}/revoke`, admin), params(second.apiKey.id));
    expect(await auditOf("api_key.revoked", second.apiKey.prefix)).toHaveLength(1);
  });

  it("keeps a key of another tenant out of reach: its tenant's admin only revokes it (404 elsewhere)", async () => {
    const admin = await sessionCookie("admin@acme.test");
    const { apiKey } = (await create(admin, { name: "acme key", scopes: ["status:read"], expiresAt: inDays(30) })).body;
    const globexAdmin = await sessionCookie("admin@acme.test", "globex");
    expect((await revokeRoute(adminRequest(`/api/quickbooks/api-keys/${apiKey.id}/revoke`, globexAdmin), params(apiKey.id))).status).toBe(404);
  });

  it("rotates with a grace period: the old key works until it ends, then 401; the new one works", async () => {
    const admin = await sessionCookie("admin@acme.test");
    const old = (await create(admin, { name: "rotating", scopes: ["status:read"], expiresAt: inDays(60) })).body;
    expect((await rotateRoute(adminRequest(`/api/quickbooks/api-keys/${old.apiKey.id}/rotate`, admin, { graceDays: 31 }), params(old.apiKey.id))).status).toBe(400);
    const rotated = await rotateRoute(adminRequest(`/api/quickbooks/api-keys/${old.apiKey.id}/rotate`, admin, { graceDays: 7 }), params(old.apiKey.id));
    expect(rotated.status).toBe(201);
    const next = (await rotated.json()) as { key: string; apiKey: { id: string; prefix: string }; previous: { status: string } };
    expect(next.key).not.toBe(old.key);
    expect(next.previous.status).toBe("rotating");
    expect((await status(old.key)).status).toBe(200);
    expect((await status(next.key)).status).toBe(200);

    // A second rotation of the old key is refused: rotate the replacement instead.
    expect((await rotateRoute(adminRequest(`/api/quickbooks/api-keys/${old.apiKey.id}/rotate`, admin, { graceDays: 1 }), params(old.apiKey.id))).status).toBe(409);

    // The grace period ends.
    await db().update(apiKeys).set({ graceExpiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.id, old.apiKey.id));
    expect((await status(old.key)).status).toBe(401);
    expect((await status(next.key)).status).toBe(200);

    const [row] = await db().select().from(apiKeys).where(eq(apiKeys.id, next.apiKey.id));
    expect(row!.rotatedFromId).toBe(old.apiKey.id);
    const [audit] = await auditOf("api_key.rotated", old.apiKey.prefix);
    expect(audit!.details).toMatchObject({ replacedBy: next.apiKey.prefix, graceDays: 7 });
  });

  it("writes last_used_at after the response, at most once a minute per key", async () => {
    const admin = await sessionCookie("admin@acme.test");
    const { key, apiKey } = (await create(admin, { name: "polled", scopes: ["status:read"], expiresAt: inDays(30) })).body;
    const lastUsed = async () => (await db().select().from(apiKeys).where(eq(apiKeys.id, apiKey.id)))[0]!.lastUsedAt;
    expect(await lastUsed()).toBeNull();

    await status(key);
    await settleApiKeyUsage();
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);

    for (let i = 0; i < 3; i++) await status(key);
    await settleApiKeyUsage();
    expect((await lastUsed())!.getTime()).toBe(first!.getTime());

    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await db().update(apiKeys).set({ lastUsedAt: twoMinutesAgo }).where(eq(apiKeys.id, apiKey.id));
    await status(key);
    await settleApiKeyUsage();
    expect((await lastUsed())!.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });

  it("records each use of a sensitive scope, and the actions it caused, with the key as the actor", async () => {
    const { tenantId: acme } = await connectTenant("accountant@acme.test");
    const admin = await sessionCookie("admin@acme.test");
    const { key, apiKey } = (await create(admin, { name: "verifier", scopes: ["verify:trigger", "status:read"], expiresAt: inDays(30) })).body;
    const verified = await verifyRoute(keyRequest("/api/quickbooks/verify", key, { method: "POST" }));
    expect(verified.status).toBe(200);

    const [used] = await auditOf("api_key.used", apiKey.prefix);
    expect(used).toMatchObject({ tenantId: acme, actorUserId: null, actorApiKeyId: apiKey.id, outcome: "success" });
    expect(used!.details).toMatchObject({ scope: "verify:trigger", action: "quickbooks.verify", method: "POST", path: "/api/quickbooks/verify" });
    const byKey = await db().select().from(auditEvents).where(and(eq(auditEvents.actorApiKeyId, apiKey.id), eq(auditEvents.action, "connection.verified")));
    expect(byKey).toHaveLength(1);

    // Status reads are not audited per use (last_used_at tells when the key was last used).
    await status(key);
    expect(await db().select().from(auditEvents).where(eq(auditEvents.actorApiKeyId, apiKey.id))).toHaveLength(2);
    expect(await tenantId("acme")).toBe(acme);
  });
});
