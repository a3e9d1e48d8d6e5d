// Intuit's Reconnect URL (issue 15, point 3): a tenant switch never happens on a GET. /quickbooks/reconnect is a page
// that shows which tenant (and company) it will reconnect and asks for a click; the click (POST
// /api/quickbooks/reconnect, same-origin) switches the session if needed and starts the authorization.
import { eq, isNull } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { POST as reconnectRoute } from "@/app/api/quickbooks/reconnect/route";
import ReconnectPage from "@/app/quickbooks/reconnect/page";
import { db } from "@/db";
import { auditEvents, oauthStates } from "@/db/schema";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { issueApiKey, keyRequest } from "./api-key-helper";
import { connectionRow, connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { quietSnapshot } from "./fixtures/quiet-snapshot";
import { appRequest, sessionCookie, tenantId } from "./session";

// Pages read the request through next/headers, which only exists inside a Next.js request: give it this test's.
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));
// Auth.js rewrites the session cookie through Next's request scope: record what the switch asked for instead.
const switched = vi.hoisted(() => [] as unknown[]);
vi.mock("@/lib/auth/auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth/auth")>()),
  updateSession: async (data: unknown) => void switched.push(data),
}));

useTestDatabase();
const intuit = useIntuitMock();

const digestOf = (promise: Promise<unknown>) => promise.then(() => null, (error: { digest?: string }) => error.digest ?? String(error));

async function openPage(cookie: string | null, realmId: string | null = DEFAULT_REALM): Promise<string> {
  request.headers = new Headers(cookie ? { cookie } : {});
  return renderToStaticMarkup(await ReconnectPage({ searchParams: Promise.resolve(realmId ? { realmId } : {}) }));
}

/** Authorizations started and not yet called back (a completed connect leaves its spent state behind). */
const unspentStates = () => db().select().from(oauthStates).where(isNull(oauthStates.consumedAt));

const clickReconnect = (cookie: string, tenant: string | null, init: { origin?: string | null } = {}) =>
  reconnectRoute(appRequest("/api/quickbooks/reconnect", { method: "POST", cookie, tenant, ...init }));

beforeEach(async () => {
  switched.length = 0;
  await resetQuickBooksData();
});

describe("GET /quickbooks/reconnect", () => {
  it("sends a signed-out visitor to sign in first, then back", async () => {
    request.headers = new Headers();
    const digest = await digestOf(ReconnectPage({ searchParams: Promise.resolve({ realmId: DEFAULT_REALM }) }));
    const location = new URL(digest!.split(";")[2]!, "http://localhost:3000");
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("callbackUrl")).toBe(`/quickbooks/reconnect?realmId=${DEFAULT_REALM}`);
  });

  it("shows which tenant and company it will reconnect, and neither switches the session's tenant nor starts an authorization", async () => {
    await connectTenant("accountant@acme.test");
    intuit.emulator.revokeGrant(DEFAULT_REALM);
    // An admin of both tenants whose session acts for Globex follows Intuit's link for Acme's company.
    const session = await sessionCookie("admin@acme.test", "globex");
    const before = await quietSnapshot(intuit);

    const html = await openPage(session);
    expect(html).toContain('data-testid="reconnect-tenant">Acme Field Services</strong>');
    expect(html).toContain(DEFAULT_REALM);
    expect(html).toMatch(/Your session acts for <strong>Globex Logistics<\/strong> now\. Reconnecting switches it to <strong>Acme Field Services<\/strong>/);
    expect(html).toMatch(/<button type="button"[^>]*>Reconnect to QuickBooks<\/button>/);

    expect(switched).toEqual([]);
    expect(await quietSnapshot(intuit)).toEqual(before);
  });

  it("asks a user of one tenant for one click, and tells a role that may not connect that it may not", async () => {
    await connectTenant("accountant@acme.test");
    const html = await openPage(await sessionCookie("accountant@acme.test"));
    expect(html).toContain('data-testid="reconnect-tenant">Acme Field Services</strong>');
    expect(html).not.toContain("Reconnecting switches it");
    expect(html.match(/<button/g)).toHaveLength(1);

    const auditor = await openPage(await sessionCookie("auditor@acme.test"));
    expect(auditor).toContain("Your role does not allow connecting QuickBooks for <strong>Acme Field Services</strong>");
    expect(auditor).not.toContain("<button");
  });
});

describe("POST /api/quickbooks/reconnect (the page's button)", () => {
  it("switches the session to the tenant the page names, then starts its authorization", async () => {
    const acme = (await connectTenant("accountant@acme.test")).tenantId;
    intuit.emulator.revokeGrant(DEFAULT_REALM);
    const session = await sessionCookie("admin@acme.test", "globex");

    const response = await clickReconnect(session, acme);
    expect(response.status).toBe(200);
    const { authorizationUrl } = (await response.json()) as { authorizationUrl: string };
    expect(authorizationUrl.startsWith(intuit.authorizeUrl)).toBe(true);
    expect(switched).toEqual([{ tenantId: acme }]);
    const [switchEvent] = await db().select().from(auditEvents).where(eq(auditEvents.action, "auth.tenant_switched"));
    expect(switchEvent).toMatchObject({ tenantId: acme, details: { from: await tenantId("globex") } });
    expect((await unspentStates()).map((s) => s.tenantId)).toEqual([acme]);
    expect((await connectionRow(acme))!.authorizationStartedAt).toBeInstanceOf(Date);
  });

  it("starts the authorization without a switch when the session already acts for that tenant", async () => {
    const { tenantId: acme, cookie } = await connectTenant("accountant@acme.test");
    const response = await clickReconnect(cookie, acme);
    expect(response.status).toBe(200);
    expect(switched).toEqual([]);
    expect((await unspentStates()).map((s) => s.tenantId)).toEqual([acme]);
  });

  it("refuses another origin, no tenant, a tenant the user is not a member of, a role that may not connect, and API keys", async () => {
    const acme = (await connectTenant("accountant@acme.test")).tenantId;
    const globex = await tenantId("globex");
    const accountant = await sessionCookie("accountant@acme.test");
    const { key } = await issueApiKey(["status:read", "verify:trigger"]);
    const before = await quietSnapshot(intuit);
    const answer = async (response: Response) => `${response.status} ${((await response.json()) as { error: { code: string } }).error.code}`;

    expect(await answer(await clickReconnect(accountant, acme, { origin: "https://evil.test" }))).toBe("403 cross_origin_request");
    expect(await answer(await clickReconnect(accountant, acme, { origin: null }))).toBe("403 cross_origin_request");
    expect(await answer(await clickReconnect(accountant, null))).toBe("428 tenant_required");
    expect(await answer(await clickReconnect(accountant, globex))).toBe("403 forbidden");
    expect(await answer(await clickReconnect(accountant, "not-a-tenant"))).toBe("403 forbidden");
    expect(await answer(await clickReconnect(await sessionCookie("auditor@acme.test"), acme))).toBe("403 forbidden");
    expect(await answer(await reconnectRoute(appRequest("/api/quickbooks/reconnect", { method: "POST", tenant: acme })))).toBe("401 unauthenticated");
    expect(await answer(await reconnectRoute(keyRequest("/api/quickbooks/reconnect", key, { method: "POST" })))).toBe("403 insufficient_scope");

    expect(switched).toEqual([]);
    expect(await quietSnapshot(intuit)).toEqual(before);
  });
});
