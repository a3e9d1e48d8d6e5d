// The permission matrix, walked whole: every route handler under app/ × every method it exports × every kind of
// caller, each cell's expected status class derived from lib/auth/permissions.ts (can(), the scopes and ROUTE_ACTIONS),
// never re-typed here. A new route without a ROUTE_ACTIONS entry (or an exemption below, with its reason) fails; so
// does a page without a PAGE_ACTIONS entry, or one that asks requirePageActor() for another action.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/db";
import { roleEnum, tenants, users, type Role } from "@/db/schema";
import { revokeApiKey } from "@/lib/api-keys/revoke-api-key";
import { API_KEY_SCOPES, can, KEY_NEVER_ACTIONS, PAGE_ACTIONS, ROUTE_ACTIONS, SCOPE_ACTIONS, scopeGranting, type Action, type ApiKeyScope } from "@/lib/auth/permissions";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { expireApiKey, issueApiKey, keyRequest } from "./api-key-helper";
import { useTestDatabase } from "./database";
import { APP_DIR, PAGES, ROUTES, routeHandlers, routeUrl, type Handler, type Method } from "./fixtures/routes";
import { appRequest, sessionCookie, tenantId } from "./session";

useTestDatabase();
useIntuitMock();

/** Routes outside the matrix, each with why. Everything else under app/ must be in ROUTE_ACTIONS. */
const EXEMPT_ROUTES: Record<string, string> = {
  "/api/auth/[...nextauth]": "Auth.js's sign-in, sign-out and session endpoints: they create the session the matrix checks.",
  "/api/quickbooks/callback": "Intuit's redirect back: bound to the user and tenant by the single-use, hashed state, not by a role.",
  "/api/quickbooks/webhooks": "Intuit's webhook endpoint: authenticated by the intuit-signature HMAC of the raw body, not a session.",
  "/api/health": "The liveness probe for load balancers: answers that the process is up, reads nothing and says nothing else.",
  "/api/metrics": "Prometheus's scrape: authenticated by the METRICS_TOKEN bearer token, not a session; off when unset.",
  "/api/ready": "The readiness probe for load balancers: says ready or which check failed (database, migrations, jobs), nothing else.",
};

const SAMPLE_PARAMS: Record<string, string> = { file: "callback.csv", id: randomUUID() };

/** Pages anyone may open, each with why; every other page must be in PAGE_ACTIONS. */
const EXEMPT_PAGES: Record<string, string> = {
  "/": "Redirects to the console, which is guarded itself.",
  "/login": "The sign-in page.",
  "/quickbooks/disconnected": "Intuit's Disconnect landing page: explains a disconnect to whoever lands there and shows a member the stored status; it changes nothing (the check is a POST to the verify route).",
  "/quickbooks/reconnect": "Intuit's Reconnect URL: sends a signed-out browser to sign in, then shows which tenant a reconnect is for; it changes nothing (the button is POST /api/quickbooks/reconnect, in the matrix).",
};
type Expectation = "401" | "403" | "allowed";
type Caller =
  | { label: string; kind: "anonymous" }
  | { label: string; kind: "session"; email: string; tenant: string; role: Role; member: boolean }
  | { label: string; kind: "key"; scopes: ApiKeyScope[]; state: "valid" | "expired" | "revoked" };

const SEEDED: Record<Role, string> = { accountant: "accountant@acme.test", admin: "admin@acme.test", auditor: "auditor@acme.test" };
const CALLERS: Caller[] = [
  { label: "no session", kind: "anonymous" },
  ...roleEnum.enumValues.map((role): Caller => ({ label: `${role}, own tenant`, kind: "session", email: SEEDED[role], tenant: "acme", role, member: true })),
  // The session's active tenant is one the user does not belong to (a stale or forged tenant id).
  ...roleEnum.enumValues.map((role): Caller => ({ label: `${role}, foreign tenant`, kind: "session", email: SEEDED[role], tenant: "initech", role, member: false })),
  ...API_KEY_SCOPES.map((scope): Caller => ({ label: `key ${scope}`, kind: "key", scopes: [scope], state: "valid" })),
  { label: "expired key (all scopes)", kind: "key", scopes: [...API_KEY_SCOPES], state: "expired" },
  { label: "revoked key (all scopes)", kind: "key", scopes: [...API_KEY_SCOPES], state: "revoked" },
];

/** The expected class of one cell, from the matrix alone. */
function expected(caller: Caller, action: Action): Expectation {
  if (caller.kind === "anonymous") return "401";
  if (caller.kind === "session") return !caller.member ? "403" : can(caller.role, action) ? "allowed" : "403";
  if (caller.state !== "valid") return "401";
  return scopeGranting(caller.scopes, action) ? "allowed" : "403";
}

function classOf(status: number): Expectation {
  return status === 401 ? "401" : status === 403 ? "403" : "allowed";
}

async function call(handler: Handler, method: string, route: string, init: { cookie?: string; key?: string; origin?: string | null }) {
  const url = routeUrl(route, SAMPLE_PARAMS);
  const req = init.key ? keyRequest(url, init.key, { method }) : appRequest(url, { method, cookie: init.cookie, origin: init.origin });
  const response = await handler(req, { params: Promise.resolve(SAMPLE_PARAMS) });
  // Read every body to its end: a streamed export holds a database cursor until it is consumed.
  await response.arrayBuffer().catch(() => undefined);
  return response.status;
}

const cookies = new Map<string, string>();
const keys = new Map<string, string>();

beforeAll(async () => {
  await db().insert(tenants).values({ slug: "initech", name: "Initech (no members)" });
  for (const caller of CALLERS) {
    if (caller.kind === "session") cookies.set(caller.label, await sessionCookie(caller.email, caller.tenant));
    if (caller.kind === "key") {
      const issued = await issueApiKey(caller.scopes, { name: caller.label });
      if (caller.state === "expired") await expireApiKey(issued.id);
      if (caller.state === "revoked") await revokeApiKey({ tenantId: await tenantId("acme"), actorUserId: await adminUserId(), apiKeyId: issued.id });
      keys.set(caller.label, issued.key);
    }
  }
});

async function adminUserId(): Promise<string> {
  const [admin] = await db().select().from(users).where(eq(users.email, SEEDED.admin));
  return admin!.id;
}

describe("the route inventory", () => {
  it("finds the route handlers on the filesystem", () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(Object.keys(EXEMPT_ROUTES).length + 10);
  });

  it("has a matrix entry for every exported method of every route that is not exempt, and no stale entries", async () => {
    const found: string[] = [];
    for (const { file, route } of ROUTES) {
      const methods = Object.keys(await routeHandlers(file));
      expect(methods.length, `${route} exports no handler`).toBeGreaterThan(0);
      if (route in EXEMPT_ROUTES) continue;
      for (const method of methods) found.push(`${method} ${route}`);
    }
    expect(found.filter((entry) => !(entry in ROUTE_ACTIONS)), "routes without a ROUTE_ACTIONS entry").toEqual([]);
    expect(Object.keys(ROUTE_ACTIONS).filter((entry) => !found.includes(entry)), "ROUTE_ACTIONS entries without a route").toEqual([]);
    for (const exempt of Object.keys(EXEMPT_ROUTES)) expect(ROUTES.map((r) => r.route), `exempt route ${exempt} is gone`).toContain(exempt);
  });

  it("never lets a scope grant key management, credentials, settings, connect or disconnect", () => {
    for (const scope of API_KEY_SCOPES) {
      for (const action of SCOPE_ACTIONS[scope]) expect(KEY_NEVER_ACTIONS as readonly string[]).not.toContain(action);
    }
  });

  it("lets every role read AWRA's ledger and only accountants and admins load it; keys only with ledger:read / ledger:write", () => {
    expect(ROUTE_ACTIONS["GET /api/quickbooks/ledger"]).toBe("ledger.read");
    expect(ROUTE_ACTIONS["POST /api/quickbooks/ledger"]).toBe("ledger.write");
    expect(roleEnum.enumValues.filter((role) => can(role, "ledger.read")).sort()).toEqual(["accountant", "admin", "auditor"]);
    expect(roleEnum.enumValues.filter((role) => can(role, "ledger.write")).sort()).toEqual(["accountant", "admin"]);
    expect(API_KEY_SCOPES.filter((scope) => scopeGranting([scope], "ledger.read"))).toEqual(["ledger:read"]);
    expect(API_KEY_SCOPES.filter((scope) => scopeGranting([scope], "ledger.write"))).toEqual(["ledger:write"]);
  });
});

describe("the page inventory", () => {
  it("finds the pages on the filesystem", () => {
    expect(PAGES.map((p) => p.route)).toContain("/integrations/quickbooks/health");
  });

  it("has a PAGE_ACTIONS entry for every guarded page, and no stale entries", () => {
    const guarded = PAGES.map((p) => p.route).filter((route) => !(route in EXEMPT_PAGES));
    expect(guarded.filter((route) => !(route in PAGE_ACTIONS)), "pages without a PAGE_ACTIONS entry").toEqual([]);
    expect(Object.keys(PAGE_ACTIONS).filter((route) => !guarded.includes(route)), "PAGE_ACTIONS entries without a page").toEqual([]);
    for (const exempt of Object.keys(EXEMPT_PAGES)) expect(PAGES.map((p) => p.route), `exempt page ${exempt} is gone`).toContain(exempt);
  });

  it.each(Object.entries(PAGE_ACTIONS))("%s asks requirePageActor for %s, and only that", (route, action) => {
    const page = PAGES.find((p) => p.route === route)!;
    const calls = [...readFileSync(page.file, "utf8").matchAll(/requirePageActor\("([\w.]+)"\)/g)].map((m) => m[1]);
    expect(calls).toEqual([action]);
  });

  it("shows each page of the navigation to exactly the roles that may open it", () => {
    const layout = readFileSync(path.join(APP_DIR, "(console)/layout.tsx"), "utf8");
    const nav = [...layout.matchAll(/\{ href: "([^"]+)", label: "[^"]+", action: "([\w.]+)" \}/g)].map((m) => [m[1], m[2]]);
    expect(nav.length).toBeGreaterThan(0);
    for (const [href, action] of nav) expect(PAGE_ACTIONS[href as keyof typeof PAGE_ACTIONS], `navigation entry ${href}`).toBe(action);
    expect(nav.map(([href]) => href)).toContain("/integrations/quickbooks/health");
  });

  it("lets every role of the tenant open the health dashboard", () => {
    for (const role of roleEnum.enumValues) expect(can(role, PAGE_ACTIONS["/integrations/quickbooks/health"]), role).toBe(true);
  });
});

describe.each(Object.entries(ROUTE_ACTIONS))("%s", (entry, action) => {
  const [method, route] = entry.split(" ") as [string, string];
  const file = ROUTES.find((r) => r.route === route)?.file;

  it(`answers every caller as the matrix says for ${action}`, async () => {
    expect(file, `no route file for ${route}`).toBeDefined();
    const handler = (await routeHandlers(file!))[method as Method]!;
    const mismatches: string[] = [];
    for (const caller of CALLERS) {
      const status = await call(handler, method, route, { cookie: cookies.get(caller.label), key: keys.get(caller.label) });
      const want = expected(caller, action);
      if (classOf(status) !== want) mismatches.push(`${caller.label}: expected ${want}, got ${status}`);
    }
    expect(mismatches).toEqual([]);
  });

  if (method !== "GET" && method !== "HEAD") {
    it("refuses a session request without an Origin header, and one from another origin (403)", async () => {
      const handler = (await routeHandlers(file!))[method as Method]!;
      const cookie = cookies.get("admin, own tenant")!;
      expect(await call(handler, method, route, { cookie, origin: null })).toBe(403);
      expect(await call(handler, method, route, { cookie, origin: "https://evil.test" })).toBe(403);
    });
  }
});
