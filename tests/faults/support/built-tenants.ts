// Tenants connected to QuickBooks through the built app over real HTTP, for the kill and soak tests: the same path a
// person takes (Connect → Intuit's consent → callback, which exchanges the code, verifies and activates), so the
// stored tokens are exactly what the product writes and the emulator knows every one of them.
import { hash } from "@node-rs/argon2";
import postgres from "postgres";
import { connectionTokenBinding } from "@/lib/crypto/token-binding";
import { keyFromBase64, TokenCipher } from "@/lib/crypto/token-cipher";
import { completeConsent } from "@/mocks/intuit/consent";
import { consoleTenant, sessionCookie, type BuiltApp } from "@/scripts/built-app";

export type Sql = postgres.Sql;

export const openSql = (databaseUrl: string, max = 4): Sql => postgres(databaseUrl, { max, onnotice: () => {} });

/** The built app's own cipher (productionEnv's TOKEN_ENCRYPTION_KEY): the test opens what the app sealed. */
export const cipherOf = (env: NodeJS.ProcessEnv) => new TokenCipher(keyFromBase64(env.TOKEN_ENCRYPTION_KEY!));

/** The refresh token the tenant's connection stores, opened with its row's binding as the app opens it. */
export async function openStoredRefreshToken(sql: Sql, env: NodeJS.ProcessEnv, tenantId: string): Promise<string> {
  const [row] = await sql<{ id: string; refresh_token_enc: string }[]>`select id, refresh_token_enc from quickbooks_connections where tenant_id = ${tenantId}`;
  return cipherOf(env).decrypt(row!.refresh_token_enc, connectionTokenBinding({ tenantId, id: row!.id }, "refresh_token_enc"));
}

export interface TestTenant {
  tenantId: string;
  userId: string;
  email: string;
  realmId: string;
  cookie: string;
}

/** A session cookie for a seeded user of a seeded tenant (e.g. accountant@acme.test, "acme"). */
export async function seededUser(sql: Sql, email: string, tenantSlug: string, authSecret: string): Promise<Omit<TestTenant, "realmId">> {
  const [row] = await sql<{ user_id: string; tenant_id: string; name: string }[]>`
    select u.id as user_id, t.id as tenant_id, u.name from users u join memberships m on m.user_id = u.id join tenants t on t.id = m.tenant_id
    where u.email = ${email} and t.slug = ${tenantSlug}`;
  if (!row) throw new Error(`no seeded membership ${email} in ${tenantSlug}`);
  const cookie = await sessionCookie({ id: row.user_id, tenantId: row.tenant_id, email, name: row.name }, authSecret);
  return { tenantId: row.tenant_id, userId: row.user_id, email, cookie };
}

/**
 * `count` new tenants, each with one admin (admins may do everything the soak does: read logs, renew, sync). Inserted
 * in three statements; the password hash is real but never used (the tests sign in with a session cookie).
 */
export async function createTenants(sql: Sql, count: number, authSecret: string, prefix = "soak"): Promise<Omit<TestTenant, "realmId">[]> {
  const passwordHash = await hash("soak-password-never-used");
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);
  const tenants = await sql<{ id: string; slug: string }[]>`
    insert into tenants (slug, name) select s, 'Soak tenant ' || s from unnest(${names}::text[]) as s returning id, slug`;
  const users = await sql<{ id: string; email: string }[]>`
    insert into users (email, name, password_hash) select s || '@soak.test', 'Admin ' || s, ${passwordHash} from unnest(${names}::text[]) as s
    returning id, email`;
  const userBySlug = new Map(users.map((u) => [u.email.split("@")[0]!, u]));
  await sql`insert into memberships (tenant_id, user_id, role)
    select t, u, 'admin' from unnest(${tenants.map((t) => t.id)}::uuid[], ${tenants.map((t) => userBySlug.get(t.slug)!.id)}::uuid[]) as x(t, u)`;
  return Promise.all(
    tenants.map(async (t) => {
      const user = userBySlug.get(t.slug)!;
      const cookie = await sessionCookie({ id: user.id, tenantId: t.id, email: user.email, name: `Admin ${t.slug}` }, authSecret);
      return { tenantId: t.id, userId: user.id, email: user.email, cookie };
    }),
  );
}

/**
 * Connect → consent → callback through the built app, as a browser does. Returns the console's outcome code
 * ("connected" when the code exchange and the Verify both worked).
 */
export async function connectOverHttp(app: Pick<BuiltApp, "url">, cookie: string, realmId: string): Promise<string | null> {
  const start = await fetch(`${app.url}/api/quickbooks/connect`, { headers: { cookie, accept: "application/json", ...consoleTenant(cookie) }, redirect: "manual" });
  const authorizeUrl = start.headers.get("location");
  if (start.status !== 302 || !authorizeUrl) throw new Error(`connect answered ${start.status}: ${await start.text()}`);
  const callback = await completeConsent(authorizeUrl, { realmId });
  // Intuit redirects the browser to the registered redirect URI (APP_URL); send it to this instance.
  const landing = await fetch(`${app.url}${callback.pathname}${callback.search}`, { headers: { cookie }, redirect: "manual" });
  if (landing.status !== 302) throw new Error(`callback answered ${landing.status}: ${await landing.text()}`);
  return new URL(landing.headers.get("location")!).searchParams.get("callback");
}

/** What a browser sends with a POST from the console (the app checks Origin and the page's tenant on every change). */
export const postHeaders = (app: Pick<BuiltApp, "url" | "env">, cookie: string) => ({
  cookie,
  ...consoleTenant(cookie),
  origin: new URL(app.env.APP_URL!).origin,
  accept: "application/json",
  "content-type": "application/json",
});

export interface EmulatorTokens {
  refresh: Set<string>;
  access: Set<string>;
}

/** The tokens the emulator would accept right now. */
export async function emulatorTokens(emulatorUrl: string): Promise<EmulatorTokens> {
  const { tokens } = (await (await fetch(`${emulatorUrl}/__emulator/tokens`)).json()) as { tokens: { kind: "access" | "refresh"; token: string }[] };
  return {
    refresh: new Set(tokens.filter((t) => t.kind === "refresh").map((t) => t.token)),
    access: new Set(tokens.filter((t) => t.kind === "access").map((t) => t.token)),
  };
}

export async function emulatorControl(emulatorUrl: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${emulatorUrl}/__emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`emulator ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

export interface EmulatorStateSnapshot {
  calls: { tokenRefreshToken: number; api: number };
  refreshTokenReuses: number;
}

export async function emulatorState(emulatorUrl: string): Promise<EmulatorStateSnapshot> {
  return (await (await fetch(`${emulatorUrl}/__emulator/state`)).json()) as EmulatorStateSnapshot;
}

/** Waits until `check` holds, polling; throws with `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
