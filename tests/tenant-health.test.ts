import { eq, inArray } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import TenantsPage from "@/app/(console)/integrations/quickbooks/tenants/page";
import { db } from "@/db";
import { callbackLogs, memberships, quickbooksConnections, refreshLogs, tenants, users } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { listTenantHealth } from "@/lib/quickbooks/list-tenant-health";
import { HEALTH_RANK, TENANT_HEALTH_PAGE_SIZE, type TenantHealthQuery } from "@/lib/quickbooks/rules/tenant-health-order";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { useTestDatabase } from "./database";
import { sessionCookie } from "./session";

// Pages read the request through next/headers, which only exists inside a Next.js request: give it this test's.
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));

useTestDatabase();
useIntuitMock();

const TENANTS = 2_000;
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = new Date();
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const later = (ms: number) => new Date(NOW.getTime() + ms);

/** Eight kinds of tenant, in turn; the rank each should sort under. */
const KINDS = [
  { kind: "no connection", rank: HEALTH_RANK.notConnected },
  { kind: "authorizing", rank: HEALTH_RANK.notConnected },
  { kind: "reauthorization required", rank: HEALTH_RANK.reconnect },
  { kind: "disconnected", rank: HEALTH_RANK.reconnect },
  { kind: "callback received", rank: HEALTH_RANK.notVerified },
  { kind: "unresolved error", rank: HEALTH_RANK.failing },
  { kind: "verify a week old", rank: HEALTH_RANK.verifyStale },
  { kind: "healthy", rank: HEALTH_RANK.healthy },
] as const;
type Kind = (typeof KINDS)[number]["kind"];

interface Seeded {
  id: string;
  name: string;
  kind: Kind;
  rank: number;
  verifiedAt: Date | null;
  refreshTokenExpiresAt: Date | null;
}

const seeded = new Map<string, Seeded>();
let foreignTenantIds: string[] = [];
let adminUserId = "";

function connectionFor(tenantId: string, kind: Kind, i: number, sealed: string): typeof quickbooksConnections.$inferInsert | null {
  const realmId = `realm-${i}`;
  const tokens = { accessTokenEnc: sealed, refreshTokenEnc: sealed, accessTokenExpiresAt: later(50 * MINUTE), refreshTokenExpiresAt: later(90 * DAY) };
  const base = { tenantId, environment: "sandbox" as const, realmId, authorizationStartedAt: ago(40 * DAY) };
  switch (kind) {
    case "no connection":
      return null;
    case "authorizing":
      return { ...base, status: "authorizing", realmId: null };
    case "reauthorization required":
      return {
        ...base,
        ...tokens,
        status: "reauthorization_required",
        callbackAt: ago(30 * DAY),
        verifiedAt: ago(20 * DAY),
        lastErrorStep: "refresh",
        lastErrorCode: "invalid_grant",
        lastErrorMessage: "Reauthorization required.",
        lastErrorAt: ago(DAY),
      };
    case "disconnected":
      return { ...base, status: "disconnected", disconnectedAt: ago(2 * DAY) };
    case "callback received":
      return { ...base, ...tokens, status: "callback_received", callbackAt: ago(HOUR) };
    case "unresolved error":
      return {
        ...base,
        ...tokens,
        status: "active",
        callbackAt: ago(30 * DAY),
        verifiedAt: ago(DAY),
        connectedAt: ago(30 * DAY),
        lastRefreshedAt: ago(DAY),
        lastErrorStep: "verify",
        lastErrorCode: "403",
        lastErrorMessage: "QuickBooks refused access to this company.",
        lastErrorAt: ago(HOUR),
      };
    case "verify a week old":
      return { ...base, ...tokens, status: "active", callbackAt: ago(30 * DAY), verifiedAt: ago(10 * DAY + (i % 97) * MINUTE), connectedAt: ago(30 * DAY), lastRefreshedAt: ago(2 * DAY) };
    case "healthy":
      return {
        ...base,
        ...tokens,
        refreshTokenExpiresAt: later(90 * DAY + i * MINUTE),
        status: "active",
        callbackAt: ago(30 * DAY),
        verifiedAt: ago(HOUR + i * 1000),
        connectedAt: ago(30 * DAY),
        lastRefreshedAt: ago(DAY),
      };
  }
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += 500) await insert(rows.slice(start, start + 500));
}

beforeAll(async () => {
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";
  clearDiscoveryCache();
  const [admin] = await db().select().from(users).where(eq(users.email, "admin@acme.test"));
  adminUserId = admin!.id;
  const sealed = tokenCipher().encrypt("not-a-real-token");
  const pad = (i: number) => String(i).padStart(4, "0");

  const created = await db()
    .insert(tenants)
    .values(Array.from({ length: TENANTS }, (_, i) => ({ slug: `t-${pad(i)}`, name: `Tenant ${pad(i)}` })))
    .returning({ id: tenants.id, name: tenants.name, slug: tenants.slug });
  // Tenants the admin is only an accountant of, or not a member of at all: all broken, so they would top the list.
  const foreign = await db()
    .insert(tenants)
    .values(Array.from({ length: 20 }, (_, i) => ({ slug: `foreign-${i}`, name: `Foreign ${pad(i)}` })))
    .returning({ id: tenants.id });
  foreignTenantIds = foreign.map((t) => t.id);

  await insertChunked(created, (chunk) => db().insert(memberships).values(chunk.map((t) => ({ tenantId: t.id, userId: adminUserId, role: "admin" as const }))));
  await db()
    .insert(memberships)
    .values(foreign.slice(0, 10).map((t) => ({ tenantId: t.id, userId: adminUserId, role: "accountant" as const })));

  const connections: (typeof quickbooksConnections.$inferInsert)[] = [];
  const callbacks: (typeof callbackLogs.$inferInsert)[] = [];
  const renewals: (typeof refreshLogs.$inferInsert)[] = [];
  created.forEach((tenant, i) => {
    const { kind, rank } = KINDS[i % KINDS.length]!;
    const connection = connectionFor(tenant.id, kind, i, sealed);
    if (connection) connections.push(connection);
    seeded.set(tenant.id, {
      id: tenant.id,
      name: tenant.name,
      kind,
      rank,
      verifiedAt: connection?.verifiedAt ?? null,
      refreshTokenExpiresAt: connection?.refreshTokenExpiresAt ?? null,
    });
    const log = { tenantId: tenant.id, environment: "sandbox" as const, realmId: `realm-${i}`, latencyMs: 100 };
    if (kind === "healthy") {
      // An older failure and the latest success: only the latest may count.
      callbacks.push({ ...log, outcome: "failure", errorCode: "access_denied", message: "Denied.", createdAt: ago(31 * DAY) });
      callbacks.push({ ...log, outcome: "success", message: "Connected.", createdAt: ago(30 * DAY) });
    }
    if (kind === "verify a week old") {
      const renewal = { tenantId: tenant.id, trigger: "scheduled" as const, durationMs: 50 };
      renewals.push({ ...renewal, outcome: "success", message: "Access token renewed.", createdAt: ago(2 * DAY) });
      renewals.push({ ...renewal, outcome: "failure", errorCode: "intuit_unavailable", message: "Intuit could not renew the token.", createdAt: ago(HOUR) });
    }
  });
  for (const [i, tenant] of foreign.entries()) {
    connections.push({ tenantId: tenant.id, environment: "sandbox", status: "reauthorization_required", realmId: `foreign-${i}` });
  }
  await insertChunked(connections, (chunk) => db().insert(quickbooksConnections).values(chunk));
  await insertChunked(callbacks, (chunk) => db().insert(callbackLogs).values(chunk));
  await insertChunked(renewals, (chunk) => db().insert(refreshLogs).values(chunk));

  // The seeded demo tenants (Acme, Globex) are the admin's too, and not connected.
  const demo = await db()
    .select({ id: tenants.id, name: tenants.name })
    .from(tenants)
    .where(inArray(tenants.slug, ["acme", "globex"]));
  for (const t of demo) seeded.set(t.id, { id: t.id, name: t.name, kind: "no connection", rank: HEALTH_RANK.notConnected, verifiedAt: null, refreshTokenExpiresAt: null });
}, 120_000);

const list = (query: Partial<TenantHealthQuery> = {}, userId = adminUserId) =>
  listTenantHealth({ userId, sort: "health", dir: "asc", page: 1, ...query, now: NOW });

/** The admin's tenants in the order the list must show them, worst first. */
function expectedWorstFirst(): Seeded[] {
  return [...seeded.values()].sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

describe("all tenants at a glance", () => {
  it("lists the admin's tenants worst first, 50 to a page", async () => {
    const first = await list();
    expect(first.total).toBe(TENANTS + 2);
    expect(first.pageCount).toBe(Math.ceil((TENANTS + 2) / TENANT_HEALTH_PAGE_SIZE));
    expect(first.rows).toHaveLength(TENANT_HEALTH_PAGE_SIZE);
    const expected = expectedWorstFirst();
    expect(first.rows.map((r) => r.tenantId)).toEqual(expected.slice(0, 50).map((t) => t.id));
    expect(first.rows.every((r) => r.healthRank === HEALTH_RANK.reconnect && r.indicator === "red")).toBe(true);
    expect(new Set(first.rows.map((r) => r.status))).toEqual(new Set(["reauthorization_required", "disconnected"]));

    // Page 2 continues exactly where page 1 stopped.
    const second = await list({ page: 2 });
    expect(second.rows.map((r) => r.tenantId)).toEqual(expected.slice(50, 100).map((t) => t.id));
  });

  it("walks every page without repeating or skipping a tenant, and never shows another tenant's row", async () => {
    const seen: string[] = [];
    let ranks: number[] = [];
    for (let page = 1; ; page++) {
      const result = await list({ page });
      seen.push(...result.rows.map((r) => r.tenantId));
      ranks = ranks.concat(result.rows.map((r) => r.healthRank));
      if (page >= result.pageCount) break;
    }
    expect(seen).toEqual(expectedWorstFirst().map((t) => t.id));
    expect(new Set(seen).size).toBe(TENANTS + 2);
    expect(seen.some((id) => foreignTenantIds.includes(id))).toBe(false);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // Past the end: no rows, but the total is still known.
    expect(await list({ page: 99 })).toMatchObject({ rows: [], total: TENANTS + 2 });
  });

  it("computes each page's readiness from each tenant's latest callback and renewal", async () => {
    // Healthy ones last in worst-first order: first in the reverse.
    const best = await list({ dir: "desc" });
    expect(best.rows.every((r) => seeded.get(r.tenantId)!.kind === "healthy")).toBe(true);
    for (const row of best.rows) {
      expect(row).toMatchObject({ indicator: "green", status: "active", failingChecks: [], environment: "sandbox" });
    }

    const byKind = async (kind: Kind) => {
      for (let page = 1; ; page++) {
        const result = await list({ page });
        const row = result.rows.find((r) => seeded.get(r.tenantId)!.kind === kind);
        if (row || page >= result.pageCount) return row!;
      }
    };
    const stale = await byKind("verify a week old");
    expect(stale.indicator).toBe("red");
    expect(stale.reasons.join(" ")).toMatch(/last successful Verify was 10 days ago/);
    // Its latest renewal failed (an earlier one succeeded), and it has no callback at all.
    expect(stale.failingChecks).toEqual(["Callback redirect is validated", "Refresh token is verified", "Sync indicator is green"]);

    const failing = await byKind("unresolved error");
    expect(failing).toMatchObject({ indicator: "red", status: "active" });
    expect(failing.failingChecks).toContain("Sync indicator is green");

    const none = await byKind("no connection");
    expect(none).toMatchObject({ indicator: "red", status: "not_connected", lastVerifiedAt: null, refreshTokenExpiresAt: null });
    expect(none.failingChecks).toEqual(["Callback redirect is validated", "Access token is stored", "Refresh token is verified", "Sync indicator is green"]);
  });

  it("sorts by name, last verify and refresh token expiry, both ways", async () => {
    const names = (await list({ sort: "name" })).rows.map((r) => r.tenantName);
    expect(names.slice(0, 3)).toEqual(["Acme Field Services", "Globex Logistics", "Tenant 0000"]);
    expect((await list({ sort: "name", dir: "desc" })).rows[0]!.tenantName).toBe("Tenant 1999");

    // Never verified comes first oldest-first; the most recent Verify first the other way.
    const oldest = await list({ sort: "last_verify" });
    expect(oldest.rows.every((r) => r.lastVerifiedAt === null)).toBe(true);
    const newest = (await list({ sort: "last_verify", dir: "desc" })).rows.map((r) => r.lastVerifiedAt!.getTime());
    expect(newest).toEqual([...newest].sort((a, b) => b - a));
    const mostRecent = Math.max(...[...seeded.values()].map((t) => t.verifiedAt?.getTime() ?? 0));
    expect(newest[0]).toBe(mostRecent);

    const latestExpiry = (await list({ sort: "refresh_expiry", dir: "desc" })).rows.map((r) => r.refreshTokenExpiresAt!.getTime());
    expect(latestExpiry).toEqual([...latestExpiry].sort((a, b) => b - a));
    expect((await list({ sort: "refresh_expiry", page: 2 })).rows.every((r) => r.refreshTokenExpiresAt === null)).toBe(true);
  });

  it("lists nothing for a user who is admin of no tenant", async () => {
    const [accountant] = await db().select().from(users).where(eq(users.email, "accountant@acme.test"));
    expect(await list({}, accountant!.id)).toMatchObject({ rows: [], total: 0, pageCount: 1 });
  });
});

describe("the page /integrations/quickbooks/tenants", () => {
  const render = async (email: string, params: Record<string, string> = {}) => {
    request.headers = new Headers({ cookie: await sessionCookie(email) });
    return renderToStaticMarkup(await TenantsPage({ searchParams: Promise.resolve(params) }));
  };
  const digestOf = (promise: Promise<unknown>) => promise.then(() => null, (error: { digest?: string }) => error.digest ?? String(error));

  it("refuses accountants and auditors, and sends the signed-out to sign in", async () => {
    expect(await digestOf(render("accountant@acme.test"))).toBe("NEXT_HTTP_ERROR_FALLBACK;403");
    expect(await digestOf(render("auditor@acme.test"))).toBe("NEXT_HTTP_ERROR_FALLBACK;403");
    request.headers = new Headers();
    expect(await digestOf(TenantsPage({ searchParams: Promise.resolve({}) }))).toMatch(/^NEXT_REDIRECT;.*\/login/);
  });

  it("shows a sortable table of 50 tenants with pagination links", async () => {
    const html = await render("admin@acme.test");
    expect(html.match(/data-testid="tenant-row"/g)).toHaveLength(50);
    expect(html).toContain('aria-sort="ascending"');
    expect(html).toMatch(/<th[^>]*aria-sort="ascending"[^>]*><a[^>]*href="\/integrations\/quickbooks\/tenants\?sort=health&amp;dir=desc&amp;page=1"/);
    expect(html).toMatch(/<th[^>]*aria-sort="none"[^>]*><a[^>]*href="\/integrations\/quickbooks\/tenants\?sort=name&amp;dir=asc&amp;page=1"/);
    expect(html).toMatch(/<a[^>]*href="\/integrations\/quickbooks\/tenants\?sort=health&amp;dir=asc&amp;page=2"[^>]*>Next<\/a>/);
    expect(html).toMatch(/<span aria-disabled="true"[^>]*>Previous<\/span>/);
    expect(html).toContain(`Tenants 1–50 of ${TENANTS + 2}`);
    expect(html).toContain('data-state="red"');
    expect(html).not.toContain("Foreign");

    const byName = await render("admin@acme.test", { sort: "name", dir: "desc", page: "2" });
    expect(byName).toMatch(/<th[^>]*aria-sort="descending"[^>]*><a[^>]*href="\/integrations\/quickbooks\/tenants\?sort=name&amp;dir=asc&amp;page=1"/);
    expect(byName).toMatch(/href="\/integrations\/quickbooks\/tenants\?sort=name&amp;dir=desc&amp;page=1"[^>]*>Previous<\/a>/);
    expect(byName).toContain("Tenant 1949");
  });

  it("falls back to the default order for a query it does not understand, and says when a page is past the end", async () => {
    expect(await render("admin@acme.test", { sort: "secret_column", dir: "sideways", page: "-3" })).toContain('aria-sort="ascending"');
    const past = await render("admin@acme.test", { page: "500" });
    expect(past).toContain("This page is past the end of the list.");
    expect(past).not.toContain("tenant-row");
  });
});
