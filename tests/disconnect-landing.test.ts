// Intuit's Disconnect URL only reads on GET (issue 15, point 4). /quickbooks/disconnected shows the connection as
// stored: no call to Intuit, no renewal, no activation, no row written, whoever's browser a link brings there. The check
// that finds out ("Check the connection now") is a POST, the Verify route, offered only to roles that may verify.
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import DisconnectedPage from "@/app/quickbooks/disconnected/page";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { quietSnapshot } from "./fixtures/quiet-snapshot";
import { appRequest, sessionCookie } from "./session";

// Pages read the request through next/headers, which only exists inside a Next.js request: give it this test's.
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));

useTestDatabase();
const intuit = useIntuitMock();

/** Every request that left for Intuit, as MSW saw it (the emulator's counters miss none, this misses nothing else). */
const sent: string[] = [];
beforeAll(() => intuit.server.events.on("request:start", ({ request: r }) => void sent.push(`${r.method} ${new URL(r.url).pathname}`)));
afterAll(() => intuit.server.events.removeAllListeners());

async function land(cookie: string | null): Promise<string> {
  request.headers = new Headers(cookie ? { cookie } : {});
  return renderToStaticMarkup(await DisconnectedPage({ searchParams: Promise.resolve({ realmId: DEFAULT_REALM }) }));
}

let tenant = "";
let accountant = "";

beforeEach(async () => {
  await resetQuickBooksData();
  ({ tenantId: tenant, cookie: accountant } = await connectTenant("accountant@acme.test"));
  // Someone disconnected the app inside QuickBooks: Intuit revoked the grant and told the app nothing.
  intuit.emulator.revokeGrant(DEFAULT_REALM);
  // The status's discovery check is remembered for minutes, as it is on any page: read it once so that it is.
  expect((await statusRoute(appRequest("/api/quickbooks/status", { cookie: accountant }))).status).toBe(200);
});

describe("GET /quickbooks/disconnected", () => {
  it("shows the stored status and calls no one, renews nothing and writes nothing, whatever the role", async () => {
    for (const email of ["accountant@acme.test", "auditor@acme.test", "admin@acme.test"]) {
      const before = await quietSnapshot(intuit);
      sent.length = 0;
      const html = await land(await sessionCookie(email));
      expect(html, email).toContain("Connection of <strong>Acme Field Services</strong>");
      // As stored: the app has not been told, and the page does not find out by itself.
      expect(html, email).toContain('data-testid="sync-indicator" data-state="green"');
      expect(sent, email).toEqual([]);
      expect(await quietSnapshot(intuit), email).toEqual(before);
    }
    expect((await connectionRow(tenant))!.status).toBe("active");
  });

  it("offers the check to roles that may verify, not to auditors; a signed-out visitor is offered sign-in only", async () => {
    for (const email of ["accountant@acme.test", "admin@acme.test"]) {
      const html = await land(await sessionCookie(email));
      expect(html, email).toContain(">Check the connection now</button>");
      expect(html, email).toContain(`href="/quickbooks/reconnect?realmId=${DEFAULT_REALM}"`);
    }
    // An auditor may neither check nor reconnect: no button that would only be refused, and who to ask instead.
    const auditor = await land(await sessionCookie("auditor@acme.test"));
    expect(auditor).not.toContain("Check the connection now");
    expect(auditor).not.toContain("/quickbooks/reconnect");
    expect(auditor).toContain("Ask an accountant or an admin of <strong>Acme Field Services</strong> to reconnect it.");
    const anonymous = await land(null);
    expect(anonymous).toContain("Sign in to reconnect");
    expect(anonymous).not.toContain("sync-indicator");
  });
});

describe("Check the connection now (POST /api/quickbooks/verify from the page)", () => {
  it("finds the revoked grant for an accountant: the connection is marked reauthorization required, and the page then says so", async () => {
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie: accountant }));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect((await connectionRow(tenant))!.status).toBe("reauthorization_required");
    const html = await land(accountant);
    expect(html).toContain('data-state="red"');
    expect(html).toContain("Reauthorization required");
    // Nothing left to check: the button is gone, the reconnect stays.
    expect(html).not.toContain("Check the connection now");
  });

  it("is refused to an auditor (403), changing nothing and calling no one", async () => {
    const before = await quietSnapshot(intuit);
    sent.length = 0;
    const response = await verifyRoute(appRequest("/api/quickbooks/verify", { method: "POST", cookie: await sessionCookie("auditor@acme.test") }));
    expect(response.status).toBe(403);
    expect(sent).toEqual([]);
    expect(await quietSnapshot(intuit)).toEqual(before);
  });
});
