import { eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { db } from "@/db";
import { tenants, users } from "@/db/schema";
import { TENANT_HEADER } from "@/lib/http/tenant-binding";

/** The console's origin: APP_URL as tests/setup.ts sets it. */
export const APP = "http://localhost:3000";
const COOKIE = "authjs.session-token";

/** The seeded tenant a seeded user's email names: accountant@acme.test → acme. */
export function tenantSlugOf(email: string): string {
  return email.split("@")[1]!.split(".")[0]!;
}

/**
 * The tenant each cookie made here was signed in to: the console page a browser holding it was rendered for. Requests
 * built with the cookie name that tenant (`x-qbc-tenant`), as the console does, unless a test says otherwise.
 */
const cookieTenants = new Map<string, string>();

/** A real Auth.js session cookie for a seeded user, as the browser would send it after signing in. */
export async function sessionCookie(email: string, tenantSlug?: string): Promise<string> {
  const [user] = await db().select().from(users).where(eq(users.email, email));
  if (!user) throw new Error(`No seeded user ${email}`);
  const tenant = await tenantId(tenantSlug ?? tenantSlugOf(email));
  const token = await encode({
    token: { sub: user.id, userId: user.id, tenantId: tenant, email: user.email, name: user.name },
    secret: process.env.AUTH_SECRET!,
    salt: COOKIE,
  });
  const cookie = `${COOKIE}=${token}`;
  cookieTenants.set(cookie, tenant);
  return cookie;
}

/** The tenant a console page rendered for this session names (the cookie's tenant), or null for a cookie made elsewhere. */
export function pageTenantOf(cookie: string | undefined): string | null {
  return cookie ? (cookieTenants.get(cookie) ?? null) : null;
}

/** What the console's browser sends with a change: the session, this origin and the page's tenant. */
export function consoleHeaders(cookie: string, tenant: string | null = pageTenantOf(cookie)): Record<string, string> {
  return { cookie, origin: APP, ...(tenant ? { [TENANT_HEADER]: tenant } : {}) };
}

export async function tenantId(slug: string): Promise<string> {
  const [tenant] = await db().select().from(tenants).where(eq(tenants.slug, slug));
  if (!tenant) throw new Error(`No seeded tenant ${slug}`);
  return tenant.id;
}

/**
 * A request to a route handler as the console sends it: from the console's own origin, naming the tenant the page
 * was rendered for (the cookie's, see sessionCookie) in `x-qbc-tenant`, unless told otherwise (`tenant`: another
 * tenant's id for a stale page, null for none).
 */
export function appRequest(
  path: string,
  init: { method?: string; cookie?: string; origin?: string | null; accept?: string; tenant?: string | null } = {},
): Request {
  const headers = new Headers({ accept: init.accept ?? "application/json" });
  if (init.cookie) headers.set("cookie", init.cookie);
  const origin = init.origin === undefined ? APP : init.origin;
  if (origin && init.method && init.method !== "GET") headers.set("origin", origin);
  const tenant = init.tenant === undefined ? pageTenantOf(init.cookie) : init.tenant;
  if (tenant) headers.set(TENANT_HEADER, tenant);
  return new Request(new URL(path, APP), { method: init.method ?? "GET", headers });
}
