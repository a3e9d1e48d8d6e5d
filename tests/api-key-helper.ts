import { eq } from "drizzle-orm";
import { db } from "@/db";
import { apiKeys, users } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import type { ApiKeyScope } from "@/lib/auth/permissions";
import { APP, tenantId } from "./session";

const DAY_MS = 86_400_000;

/** Issues a key through the use-case, as the seeded admin would, for a seeded tenant. */
export async function issueApiKey(scopes: ApiKeyScope[], options: { tenant?: string; name?: string; days?: number } = {}) {
  const [admin] = await db().select().from(users).where(eq(users.email, "admin@acme.test"));
  const created = await createApiKey({
    tenantId: await tenantId(options.tenant ?? "acme"),
    actorUserId: admin!.id,
    actorEmail: admin!.email,
    input: { name: options.name ?? `key ${scopes.join(" ")}`, scopes, expiresAt: new Date(Date.now() + (options.days ?? 30) * DAY_MS).toISOString() },
  });
  return { key: created.key, id: created.apiKey.id, prefix: created.apiKey.prefix };
}

/** Makes a key look expired. */
export async function expireApiKey(id: string): Promise<void> {
  await db().update(apiKeys).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiKeys.id, id));
}

/** A request as another system sends it: the key in the Authorization header, no cookie, no Origin. */
export function keyRequest(path: string, key: string, init: { method?: string; body?: unknown } = {}): Request {
  const headers = new Headers({ accept: "application/json", authorization: `Bearer ${key}` });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return new Request(new URL(path, APP), { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}
