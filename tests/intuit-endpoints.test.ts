// SSRF: the app calls Intuit only at the URLs its configuration names (lib/env.ts: INTUIT_DISCOVERY_URL,
// QBO_API_BASE_URL, or Intuit's own hosts for the other environment) and the endpoints of that discovery document.
// No query parameter, header, stored setting or request body can point a server-side request anywhere else.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as callbackRoute } from "@/app/api/quickbooks/callback/route";
import { POST as checksRoute } from "@/app/api/quickbooks/checks/route";
import { GET as connectRoute } from "@/app/api/quickbooks/connect/route";
import { POST as reconnectRoute } from "@/app/api/quickbooks/reconnect/route";
import { PUT as putSettings } from "@/app/api/quickbooks/settings/route";
import { GET as statusRoute } from "@/app/api/quickbooks/status/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { db } from "@/db";
import { intuitCredentials, tenantIntuitSettings } from "@/db/schema";
import { env, parseEnv } from "@/lib/env";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { completeConsent } from "@/mocks/intuit/node";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie, tenantId } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const HOSTILE_QUERY =
  "discoveryUrl=http%3A%2F%2Fevil.test%2F.well-known&discovery_url=http%3A%2F%2F169.254.169.254%2F&apiBaseUrl=http%3A%2F%2Fevil.test" +
  "&token_endpoint=http%3A%2F%2Fevil.test%2Ftoken&environment=production&baseUrl=http%3A%2F%2Flocalhost%3A5432";
const HOSTILE_HEADERS = {
  host: "evil.test",
  "x-forwarded-host": "evil.test",
  "x-forwarded-proto": "http",
  forwarded: "host=evil.test;proto=http",
  "x-original-url": "http://evil.test/",
  referer: "http://evil.test/",
};

/** Every origin a server-side request went to, as MSW saw it. */
const contacted = new Set<string>();

function hostile(request: Request, query = HOSTILE_QUERY): Request {
  const url = new URL(request.url);
  url.search = url.search ? `${url.search}&${query}` : `?${query}`;
  const headers = new Headers(request.headers);
  for (const [name, value] of Object.entries(HOSTILE_HEADERS)) headers.set(name, value);
  return new Request(url, { method: request.method, headers });
}

function putSettingsAs(cookie: string, body: unknown) {
  const base = appRequest("/api/quickbooks/settings", { method: "PUT", cookie });
  const headers = new Headers(base.headers);
  headers.set("content-type", "application/json");
  return putSettings(new Request(base, { body: JSON.stringify(body), headers }));
}

beforeAll(() => {
  intuit.server.events.on("request:start", ({ request }) => {
    contacted.add(new URL(request.url).origin);
  });
});
afterAll(() => intuit.server.events.removeAllListeners());

beforeEach(async () => {
  clearDiscoveryCache();
  contacted.clear();
  await resetQuickBooksData();
  const acme = await tenantId("acme");
  await db().delete(intuitCredentials).where(eq(intuitCredentials.tenantId, acme));
  await db().delete(tenantIntuitSettings).where(eq(tenantIntuitSettings.tenantId, acme));
});

describe("Intuit's URLs come from configuration only", () => {
  it("takes the endpoints from lib/env for the platform's environment and Intuit's own hosts for the other", async () => {
    const acme = await tenantId("acme");
    const sandbox = await intuitAppFor(acme, "sandbox");
    expect(sandbox).toMatchObject({ discoveryUrl: env().intuit.discoveryUrl, apiBaseUrl: env().intuit.apiBaseUrl });
    const production = await intuitAppFor(acme, "production");
    expect(production).toMatchObject({
      discoveryUrl: "https://developer.api.intuit.com/.well-known/openid_configuration",
      apiBaseUrl: "https://quickbooks.api.intuit.com",
    });
    // The only inputs are the environment variables, read once.
    const configured = parseEnv({ NODE_ENV: "production", AUTH_SECRET: "a".repeat(40), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") });
    expect(configured.intuit.discoveryUrl).toBe("https://developer.api.intuit.com/.well-known/openid_sandbox_configuration");
  });

  it("refuses a settings body that tries to carry an endpoint: the schema is strict", async () => {
    const admin = await sessionCookie("admin@acme.test");
    for (const field of ["discoveryUrl", "apiBaseUrl", "tokenEndpoint", "authorizationEndpoint", "emulatorUrl"]) {
      const response = await putSettingsAs(admin, { environment: "sandbox", [field]: "http://evil.test/" });
      expect(response.status).toBe(400);
    }
    expect(await db().select().from(tenantIntuitSettings)).toHaveLength(0);
  });

  it("never calls a redirect URI a tenant admin entered: it is only sent to Intuit as a parameter", async () => {
    const admin = await sessionCookie("admin@acme.test");
    expect((await putSettingsAs(admin, { environment: "sandbox", redirectUri: "http://evil.test/steal" })).status).toBe(200);
    expect((await checksRoute(hostile(appRequest("/api/quickbooks/checks", { method: "POST", cookie: admin })))).status).toBe(200);
    const start = await connectRoute(hostile(appRequest("/api/quickbooks/connect", { cookie: await sessionCookie("accountant@acme.test") })));
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin + authorize.pathname).toBe(intuit.authorizeUrl);
    expect(authorize.searchParams.get("redirect_uri")).toBe("http://evil.test/steal");
    expect([...contacted]).toEqual([intuit.origin]);
  });

  it("connects, verifies and re-checks with hostile query parameters and headers on every request: only Intuit is called", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const start = await connectRoute(hostile(appRequest("/api/quickbooks/connect", { cookie })));
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin + authorize.pathname).toBe(intuit.authorizeUrl);

    const intuitRedirect = await completeConsent(authorize, { realmId: "9341452000000001" });
    const landing = await callbackRoute(hostile(appRequest(`/api/quickbooks/callback${intuitRedirect.search}`, { cookie })));
    expect(new URL(landing.headers.get("location")!).searchParams.get("callback")).toBe("connected");
    // The console the callback sends the browser to is on APP_URL, whatever Host the request named.
    expect(new URL(landing.headers.get("location")!).origin).toBe("http://localhost:3000");

    expect((await verifyRoute(hostile(appRequest("/api/quickbooks/verify", { method: "POST", cookie })))).status).toBe(200);
    expect((await statusRoute(hostile(appRequest("/api/quickbooks/status", { cookie })))).status).toBe(200);
    expect((await checksRoute(hostile(appRequest("/api/quickbooks/checks", { method: "POST", cookie })))).status).toBe(200);
    const reconnect = await reconnectRoute(hostile(appRequest("/api/quickbooks/reconnect", { method: "POST", cookie })));
    expect(reconnect.status).toBe(200);
    expect(new URL(((await reconnect.json()) as { authorizationUrl: string }).authorizationUrl).origin).toBe(intuit.origin);

    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(1);
    expect([...contacted]).toEqual([intuit.origin]);
  });

  it("refuses a realm id that is not digits, so it cannot steer the API path", async () => {
    const cookie = await sessionCookie("accountant@acme.test");
    const start = await connectRoute(appRequest("/api/quickbooks/connect", { cookie }));
    const intuitRedirect = await completeConsent(new URL(start.headers.get("location")!), { realmId: "9341452000000001" });
    const tampered = new URLSearchParams(intuitRedirect.search);
    tampered.set("realmId", "../../evil");
    const landing = await callbackRoute(appRequest(`/api/quickbooks/callback?${tampered}`, { cookie }));
    expect(new URL(landing.headers.get("location")!).searchParams.get("callback")).not.toBe("connected");
    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(0);
    expect([...contacted]).toEqual([intuit.origin]);
  });
});
