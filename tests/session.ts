import { eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { db } from "@/db";
import { tenants, users } from "@/db/schema";

/** The console's origin: APP_URL as tests/setup.ts sets it. */
export const APP = "http://localhost:3000";
const COOKIE = "authjs.session-token";

/** The seeded tenant a seeded user's email names: accountant@acme.test → acme. */
export function tenantSlugOf(email: string): string {
  return email.split("@")[1]!.split(".")[0]!;
}

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
  return `${COOKIE}=${token}`;
}

export async function tenantId(slug: string): Promise<string> {
  const [tenant] = await db().select().from(tenants).where(eq(tenants.slug, slug));
  if (!tenant) throw new Error(`No seeded tenant ${slug}`);
  return tenant.id;
}

/** A request to a route handler, from the console's own origin unless told otherwise. */
export function appRequest(path: string, init: { method?: string; cookie?: string; origin?: string | null; accept?: string } = {}): Request {
  const headers = new Headers({ accept: init.accept ?? "application/json" });
  if (init.cookie) headers.set("cookie", init.cookie);
  const origin = init.origin === undefined ? APP : init.origin;
  if (origin && init.method && init.method !== "GET") headers.set("origin", origin);
  return new Request(new URL(path, APP), { method: init.method ?? "GET", headers });
}
