// Bad input, at every door (issue 9, point 3). Every route handler the walker finds (tests/fixtures/routes.ts) × every
// method it exports gets a stream of malformed and hostile requests from a seeded PRNG: wrong JSON types, deep and
// huge JSON, bodies over the limits, invalid UTF-8, BOMs, UTF-16, wrong or missing content types, gzip garbage, path
// tricks in the dynamic segments, hostile query strings, forged cookies and keys, missing and duplicated headers, and
// every role of the seeded tenants. Each answer must be below 500, carry no stack trace and no secret, and (for the
// app's own API) be the contract's JSON error when it refuses. Before and after, every table is fingerprinted (row
// count and an md5 of its rows in primary-key order): only the append-only evidence tables named below may change,
// by gaining rows, and what they gained must hold no secret either.
//
// Reproduce a failure: the report prints the seed, the route, the request's index and the request itself;
// FUZZ_SEED=<seed> FUZZ_ONLY="<METHOD /route>" npx vitest run tests/fuzz.test.ts replays that route's stream.
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { databaseHandle, db } from "@/db";
import { rowsOf } from "@/db/rows";
import { intuitCredentials, memberships, quickbooksConnections, reconciliationLines, reconciliations, syncRuns, tenants, tokenRevocations, users } from "@/db/schema";
import { revokeApiKey } from "@/lib/api-keys/revoke-api-key";
import { tokenCipher } from "@/lib/crypto/cipher";
import { connectionTokenBinding } from "@/lib/crypto/token-binding";
import { resetEnvForTests } from "@/lib/env";
import { JSON_BODY_LIMIT_BYTES } from "@/lib/http/read-json";
import { TENANT_HEADER, TENANT_QUERY } from "@/lib/http/tenant-binding";
import { signWebhookBody } from "@/lib/intuit/webhook-signature";
import { LEDGER_IMPORT_MAX_BYTES } from "@/lib/ledger/import-ledger";
import { updateIntuitSettings } from "@/lib/quickbooks/update-intuit-settings";
import { WEBHOOK_BODY_LIMIT_BYTES } from "@/lib/quickbooks/receive-webhook";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { expireApiKey, issueApiKey } from "./api-key-helper";
import { connectTenant } from "./connect-helper";
import { TEST_PASSWORD, useTestDatabase } from "./database";
import { callRoute, isCatchAll, paramNames, routeEntries, routeUrl, type Handler, type Method, type RouteParams } from "./fixtures/routes";
import { seededRandom } from "../scripts/seeded-random";
import { sessionCookie, tenantId } from "./session";

const VERIFIER = "fuzz-webhook-verifier-token-0123456789";
process.env.INTUIT_WEBHOOK_VERIFIER_TOKEN = VERIFIER;

useTestDatabase();
const intuit = useIntuitMock();

const SEED = Number.parseInt(process.env.FUZZ_SEED ?? "", 10) || 20_261_129;
/** Requests per route and method: 42 routes and methods today × 90 = 3,780 requests, plus the fixed cases below. */
const PER_ENTRY = Number.parseInt(process.env.FUZZ_PER_ROUTE ?? "", 10) || 90;
const ONLY = process.env.FUZZ_ONLY;
/** FUZZ_TRACE=public.some_table: fingerprint those tables after every request and name the requests that changed them. */
const TRACE = process.env.FUZZ_TRACE?.split(",").filter(Boolean) ?? [];
const APP = "http://localhost:3000";
const COOKIE = "authjs.session-token";

// ─── What each route reads, and whether a well-formed request from an allowed caller changes something ───────────

type BodyKind = "none" | "json" | "optional-json" | "ledger" | "webhook" | "auth-form";
interface RoutePlan {
  /** How the handler reads its body. Every body the fuzz sends to a "json", "optional-json" or "ledger" route is invalid. */
  body: BodyKind;
  /** The JSON fields the route's schema knows: the fuzz gives them values of the wrong type. */
  fields?: string[];
  /**
   * A well-formed request from an allowed caller acts (stores something, or calls Intuit). Such a route only gets
   * requests that must be refused: from a caller that is not a member, or with a bad origin, a bad body or an id
   * that is none of the caller's tenant's.
   */
  acts: boolean;
  /** The body limit: a larger body is 413. */
  limit?: number;
  /** Only the platform operator gets past the gate (an admin is refused first, 403): the over-limit bodies are theirs. */
  operatorOnly?: boolean;
}

/** Every route and method of the app. A route missing here (a new one) fails the inventory test below. */
const PLAN: Record<string, RoutePlan> = {
  "GET /api/auth/[...nextauth]": { body: "none", acts: false },
  "POST /api/auth/[...nextauth]": { body: "auth-form", acts: false },
  "GET /api/health": { body: "none", acts: false },
  "GET /api/metrics": { body: "none", acts: false },
  "GET /api/ready": { body: "none", acts: false },
  "GET /api/quickbooks/api-keys": { body: "none", acts: false },
  "POST /api/quickbooks/api-keys": { body: "json", fields: ["name", "scopes", "expiresAt"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "POST /api/quickbooks/api-keys/[id]/revoke": { body: "none", acts: true },
  "POST /api/quickbooks/api-keys/[id]/rotate": { body: "json", fields: ["graceDays"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "GET /api/quickbooks/callback": { body: "none", acts: false },
  "POST /api/quickbooks/checks": { body: "none", acts: true },
  "GET /api/quickbooks/connect": { body: "none", acts: true },
  "POST /api/quickbooks/disconnect": { body: "none", acts: true },
  "GET /api/quickbooks/ledger": { body: "none", acts: false },
  "POST /api/quickbooks/ledger": { body: "ledger", fields: ["code", "name", "type", "balance", "as_of"], acts: true, limit: LEDGER_IMPORT_MAX_BYTES },
  "GET /api/quickbooks/logs/[file]": { body: "none", acts: false },
  "GET /api/quickbooks/mappings": { body: "none", acts: false },
  "PUT /api/quickbooks/mappings/[ledgerAccountId]": { body: "json", fields: ["qboAccountId", "allowShared"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "POST /api/quickbooks/mappings/production/confirm": { body: "json", fields: ["realmId", "choices"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "POST /api/quickbooks/mappings/production/resolve": { body: "none", acts: true },
  "POST /api/quickbooks/mappings/suggest": { body: "none", acts: true },
  "POST /api/quickbooks/mappings/validate": { body: "optional-json", fields: ["environment"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "GET /api/quickbooks/notifications": { body: "none", acts: false },
  "POST /api/quickbooks/notifications/read": { body: "json", fields: ["ids", "all"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "GET /api/quickbooks/notifications/preferences": { body: "none", acts: false },
  "PUT /api/quickbooks/notifications/preferences": { body: "json", fields: ["eventType", "email"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "GET /api/quickbooks/notifications/endpoints": { body: "none", acts: false },
  "POST /api/quickbooks/notifications/endpoints": { body: "json", fields: ["url", "description", "eventTypes", "enabled"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "PATCH /api/quickbooks/notifications/endpoints/[id]": { body: "json", fields: ["url", "description", "eventTypes", "enabled"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "DELETE /api/quickbooks/notifications/endpoints/[id]": { body: "none", acts: true },
  "POST /api/quickbooks/notifications/endpoints/[id]/rotate": { body: "none", acts: true },
  "POST /api/quickbooks/notifications/endpoints/[id]/test": { body: "none", acts: true },
  "GET /api/quickbooks/notifications/endpoints/[id]/deliveries": { body: "none", acts: false },
  "POST /api/quickbooks/reconnect": { body: "none", acts: true },
  "GET /api/quickbooks/qbo-accounts": { body: "none", acts: false },
  "GET /api/quickbooks/reconciliations": { body: "none", acts: false },
  "POST /api/quickbooks/reconciliations": { body: "optional-json", fields: ["environment", "period"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "GET /api/quickbooks/reconciliations/[id]": { body: "none", acts: false },
  "GET /api/quickbooks/reconciliations/settings": { body: "none", acts: false },
  "PUT /api/quickbooks/reconciliations/settings": { body: "json", fields: ["accountingMethod"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "POST /api/quickbooks/reconciliations/[id]/close": { body: "none", acts: true },
  "GET /api/quickbooks/reconciliations/[id]/csv": { body: "none", acts: false },
  "PUT /api/quickbooks/reconciliations/[id]/lines/[lineId]": { body: "json", fields: ["explanation"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "POST /api/quickbooks/refresh": { body: "none", acts: true },
  "GET /api/quickbooks/settings": { body: "none", acts: false },
  "PUT /api/quickbooks/settings": { body: "json", fields: ["environment", "clientId", "clientSecret", "redirectUri", "clearCredentials"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "GET /api/quickbooks/status": { body: "none", acts: false },
  "GET /api/quickbooks/sync": { body: "none", acts: false },
  "POST /api/quickbooks/sync": { body: "optional-json", fields: ["environment"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "GET /api/quickbooks/sync/[id]": { body: "none", acts: false },
  "POST /api/quickbooks/sync/[id]/resume": { body: "none", acts: true },
  "GET /api/quickbooks/sync/runs.csv": { body: "none", acts: false },
  "GET /api/quickbooks/verify-file": { body: "none", acts: false },
  "POST /api/quickbooks/verify": { body: "none", acts: true },
  "GET /api/quickbooks/usage/daily.csv": { body: "none", acts: false },
  "PUT /api/quickbooks/usage/plan": { body: "json", fields: ["tier", "monthlyQuota", "monthStartDay", "backgroundSharePct"], acts: true, limit: JSON_BODY_LIMIT_BYTES },
  "PUT /api/quickbooks/usage/platform-plan": { body: "json", fields: ["tier", "monthlyQuota", "monthStartDay", "backgroundSharePct"], acts: true, limit: JSON_BODY_LIMIT_BYTES, operatorOnly: true },
  "POST /api/quickbooks/webhooks": { body: "webhook", acts: false, limit: WEBHOOK_BODY_LIMIT_BYTES },
  "POST /api/quickbooks/webhooks/retry": { body: "none", acts: true },
  "POST /api/quickbooks/webhooks/test": { body: "none", acts: true },
};

/** Auth.js's own endpoints answer in its protocol (`"Bad request."`, `null`, redirects), not the app's JSON error. */
const FOREIGN_PROTOCOL = new Set(["GET /api/auth/[...nextauth]", "POST /api/auth/[...nextauth]"]);

/**
 * The append-only evidence tables a refused request may add to, each with why. Every other table must be unchanged.
 */
const EVIDENCE_TABLES: Record<string, string> = {
  "public.audit_events": "the access history: refused sign-ins, callbacks, ledger loads, exports and settings views are recorded",
  "public.callback_logs": "every callback, good or bad, writes a callback log row",
  "public.webhook_deliveries": "every delivery, rejected ones included (bad signature, too large, malformed), is logged",
};

/** The fuzz sends headers of up to 64 KB: an evidence row that keeps one whole is storing what it should not. */
const EVIDENCE_ROW_MAX_CHARS = 2_000;

// ─── A seeded PRNG: the same seed sends the same requests ───────────────────────────────────────────────────────

type Rng = () => number;
/** Each route has its own stream, so adding a route changes no other route's requests. */
function streamFor(entry: string): Rng {
  let h = SEED >>> 0;
  for (const ch of entry) h = Math.imul(h ^ ch.charCodeAt(0), 16_777_619) >>> 0;
  return seededRandom(h);
}
const pick = <T,>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const chance = (rng: Rng, p: number) => rng() < p;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

// ─── Callers ────────────────────────────────────────────────────────────────────────────────────────────────────

interface Caller {
  label: string;
  /** A valid session of a member of its tenant: it passes the gate wherever its role allows. */
  member: boolean;
  /** The tenant slug a member acts on. */
  tenant?: string;
  /** That tenant's id: what the console page of this session names in `x-qbc-tenant`. */
  tenantId?: string;
  headers: Record<string, string>;
}

const callers: Caller[] = [];
const realIds: { apiKey: string; syncRun: number; reconciliation: number; line: number; ledgerAccount: string } = {
  apiKey: "",
  syncRun: 0,
  reconciliation: 0,
  line: 0,
  ledgerAccount: "",
};
const secrets = new Set<string>();
/** A tenant no seeded user belongs to: a claim of it is another tenant's to everyone (set up in beforeAll). */
let strangerTenantId = "";

async function forgedCookie(claims: Record<string, unknown>, options: { secret?: string; maxAge?: number } = {}): Promise<string> {
  const token = await encode({ token: claims, secret: options.secret ?? process.env.AUTH_SECRET!, salt: COOKIE, maxAge: options.maxAge });
  return `${COOKIE}=${token}`;
}

function b64url(value: string): string {
  return Buffer.from(value).toString("base64url");
}

async function setUpCallers(): Promise<void> {
  const userId = async (email: string) => (await db().select().from(users).where(eq(users.email, email)))[0]!.id;
  const acme = await tenantId("acme");
  const adminId = await userId("admin@acme.test");

  const member = async (email: string, tenant: string) => ({
    label: `${email} on ${tenant}`,
    member: true,
    tenant,
    tenantId: await tenantId(tenant),
    headers: { cookie: await sessionCookie(email, tenant) },
  });
  callers.push(
    { label: "anonymous", member: false, headers: {} },
    await member("accountant@acme.test", "acme"),
    await member("admin@acme.test", "acme"),
    await member("auditor@acme.test", "acme"),
    await member("accountant@globex.test", "globex"),
    await member("admin@acme.test", "globex"),
    // The platform operator (a flag on the person, not a role): the one caller past the platform plan's gate.
    await member("operator@awra.test", "acme"),
  );

  // A user who signed in, then was deleted (the model has no "disabled" flag: deletion is how access ends).
  const [gone] = await db().insert(users).values({ email: "deleted@acme.test", name: "Deleted", passwordHash: "x" }).returning();
  await db().insert(memberships).values({ tenantId: acme, userId: gone!.id, role: "admin" });
  const deletedCookie = await sessionCookie("deleted@acme.test", "acme");
  await db().delete(users).where(eq(users.id, gone!.id));
  // A user with an account but no membership anywhere (every membership removed).
  await db().insert(users).values({ email: "removed@acme.test", name: "Removed", passwordHash: "x" });
  const lonerCookie = await sessionCookie("removed@acme.test", "acme");

  const admin = { sub: adminId, userId: adminId, tenantId: acme, email: "admin@acme.test", name: "Admin" };
  const validAdmin = (await sessionCookie("admin@acme.test", "acme")).split("=")[1]!;
  const forged: [string, Record<string, string>][] = [
    ["garbage session cookie", { cookie: `${COOKIE}=garbage` }],
    ["random base64 session cookie", { cookie: `${COOKIE}=${Buffer.alloc(600, 0xa5).toString("base64url")}` }],
    ["huge session cookie", { cookie: `${COOKIE}=${"A".repeat(64 * 1024)}` }],
    ["JWT of another secret", { cookie: await forgedCookie(admin, { secret: "another-secret-entirely-0123456789abcdef" }) }],
    ["alg none JWT", { cookie: `${COOKIE}=${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify(admin))}.` }],
    ["alg none JWE-shaped", { cookie: `${COOKIE}=${b64url('{"alg":"none","enc":"none"}')}..${b64url(JSON.stringify(admin))}..` }],
    ["tampered session", { cookie: `${COOKIE}=${validAdmin.slice(0, -6)}AAAAAA` }],
    ["expired session", { cookie: await forgedCookie(admin, { maxAge: -60 }) }],
    ["user that does not exist", { cookie: await forgedCookie({ ...admin, sub: randomUUID(), userId: randomUUID() }) }],
    ["user id that is not a uuid", { cookie: await forgedCookie({ ...admin, userId: "not-a-uuid' or '1'='1" }) }],
    ["user id of the wrong type", { cookie: await forgedCookie({ ...admin, userId: 42 }) }],
    ["tenant id that is not a uuid", { cookie: await forgedCookie({ ...admin, tenantId: "'; drop table tenants; --" }) }],
    ["tenant id of the wrong type", { cookie: await forgedCookie({ ...admin, tenantId: { $ne: null } }) }],
    ["tenant of which the user is no member", { cookie: await sessionCookie("accountant@acme.test", "initech") }],
    ["deleted user", { cookie: deletedCookie }],
    ["user without memberships", { cookie: lonerCookie }],
    ["session under the https cookie name", { cookie: `__Secure-${COOKIE}=${validAdmin}` }],
    ["two forged session cookies", { cookie: `${COOKIE}=garbage; ${COOKIE}=${"B".repeat(200)}` }],
    ["garbage bearer", { authorization: "Bearer garbage" }],
    ["empty bearer", { authorization: "Bearer" }],
    ["huge bearer", { authorization: `Bearer qbc_${"x".repeat(32 * 1024)}` }],
    ["bearer with SQL", { authorization: "Bearer qbc_live_' or 1=1 --" }],
    ["basic auth", { authorization: "Basic YWRtaW5AYWNtZS50ZXN0OnRlc3QtcGFzc3dvcmQtMQ==" }],
    ["hostile Auth.js callback-url cookie", { cookie: `authjs.callback-url=${encodeURIComponent("javascript:alert(1)")}; authjs.csrf-token=garbage%7Cgarbage` }],
  ];
  const valid = await issueApiKey(["status:read", "logs:export", "verify:trigger", "ledger:read", "ledger:write"], { name: "fuzz tampered" });
  const expired = await issueApiKey(["status:read", "logs:export"], { name: "fuzz expired" });
  await expireApiKey(expired.id);
  const revoked = await issueApiKey(["status:read", "logs:export"], { name: "fuzz revoked" });
  await revokeApiKey({ tenantId: acme, actorUserId: adminId, apiKeyId: revoked.id });
  realIds.apiKey = valid.id;
  secrets.add(valid.key).add(expired.key).add(revoked.key);
  forged.push(
    ["tampered API key", { authorization: `Bearer ${valid.key.slice(0, -4)}AAAA` }],
    ["expired API key", { authorization: `Bearer ${expired.key}` }],
    ["revoked API key", { authorization: `Bearer ${revoked.key}` }],
  );
  for (const [label, headers] of forged) callers.push({ label, member: false, headers });
  // Routes that read the session only (Intuit's callback and reconnect, Auth.js) never look at the key: to them this
  // is a member of Acme.
  callers.push({ label: "forged key with a valid admin session", member: true, tenant: "acme", tenantId: acme, headers: { authorization: "Bearer qbc_forged", cookie: `${COOKIE}=${validAdmin}` } });
}

/** Rows the fuzz can point at: each belongs to Acme, so to a Globex caller they are someone else's. */
async function setUpRows(): Promise<void> {
  const acme = await tenantId("acme");
  const [run] = await db()
    .insert(syncRuns)
    .values({ tenantId: acme, environment: "sandbox", realmId: "9341452000000001", mode: "full", status: "failed", mappingFingerprint: "fuzz", errorMessage: "fuzz" })
    .returning();
  const [rec] = await db()
    .insert(reconciliations)
    .values({ tenantId: acme, environment: "sandbox", realmId: "9341452000000001", period: "2026-10", asOf: "2026-10-31", syncRunId: run!.id })
    .returning();
  const [line] = await db()
    .insert(reconciliationLines)
    .values({ reconciliationId: rec!.id, tenantId: acme, code: "1000", name: "Cash", awraBalance: "10.00", qboBalance: "9.00", difference: "1.00" })
    .returning();
  const ledger = rowsOf<{ id: string }>(await db().execute(sql`select id from ledger_accounts where tenant_id = ${acme} limit 1`));
  realIds.syncRun = run!.id;
  realIds.reconciliation = rec!.id;
  realIds.line = line!.id;
  realIds.ledgerAccount = ledger[0]?.id ?? randomUUID();
}

/** Every secret the app holds: none may appear in an answer, or in what the evidence tables gain. */
async function collectSecrets(): Promise<void> {
  const key = process.env.TOKEN_ENCRYPTION_KEY!;
  for (const value of [process.env.AUTH_SECRET!, key, Buffer.from(key, "base64").toString("hex"), Buffer.from(key, "base64").toString("base64url"), process.env.INTUIT_CLIENT_SECRET!, VERIFIER, TEST_PASSWORD]) {
    secrets.add(value);
  }
  const cipher = tokenCipher();
  const open = (sealed: string | null, binding?: string) => {
    if (!sealed) return;
    secrets.add(sealed);
    secrets.add(cipher.decrypt(sealed, binding));
  };
  for (const row of await db().select().from(quickbooksConnections)) {
    open(row.accessTokenEnc, connectionTokenBinding(row, "access_token_enc"));
    open(row.refreshTokenEnc, connectionTokenBinding(row, "refresh_token_enc"));
  }
  for (const row of await db().select().from(intuitCredentials)) open(row.clientSecretEnc);
  for (const row of await db().select().from(tokenRevocations)) open(row.tokenEnc);
  for (const row of await db().select({ hash: users.passwordHash }).from(users)) if (row.hash.length > 8) secrets.add(row.hash);
  for (const row of rowsOf<{ secret_hash: string }>(await db().execute(sql`select secret_hash from api_keys`))) secrets.add(row.secret_hash);
  for (const token of intuit.emulator.activeTokens()) secrets.add(token.token);
  for (const value of [...secrets]) if (value.length < 12) secrets.delete(value);
}

// ─── Fingerprints ───────────────────────────────────────────────────────────────────────────────────────────────

interface TableFingerprint {
  rows: number;
  md5: string;
}
type Fingerprint = Map<string, TableFingerprint>;

async function tablesWithKeys(): Promise<{ name: string; order: string }[]> {
  const tables = rowsOf<{ schema: string; name: string }>(
    await db().execute(
      sql`select table_schema as schema, table_name as name from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
    ),
  );
  const result = [];
  for (const t of tables) {
    const qualified = `"${t.schema}"."${t.name}"`;
    const keys = rowsOf<{ column: string }>(
      await db().execute(
        sql`select a.attname as column from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
            where i.indrelid = ${qualified}::regclass and i.indisprimary order by a.attnum`,
      ),
    );
    // Without a primary key, the row text itself gives the order.
    const order = keys.length > 0 ? keys.map((k) => `t."${k.column}"`).join(", ") : "t::text";
    result.push({ name: `${t.schema}.${t.name}`, order });
  }
  return result;
}

async function fingerprint(tables: { name: string; order: string }[]): Promise<Fingerprint> {
  const result: Fingerprint = new Map();
  for (const { name, order } of tables) {
    const qualified = name
      .split(".")
      .map((part) => `"${part}"`)
      .join(".");
    const [row] = rowsOf<{ rows: number; md5: string | null }>(
      await db().execute(sql.raw(`select count(*)::int as rows, md5(string_agg(t::text, '|' order by ${order})) as md5 from ${qualified} t`)),
    );
    result.set(name, { rows: Number(row!.rows), md5: row!.md5 ?? "" });
  }
  return result;
}

async function rowTexts(table: string): Promise<string[]> {
  const qualified = table
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");
  // A folded row's count and last-seen time are the one change the evidence tables allow (lib/logs/repeat-fold.ts).
  return rowsOf<{ row: string }>(await db().execute(sql.raw(`select (to_jsonb(t) - 'repeat_count' - 'last_seen_at')::text as row from ${qualified} t`))).map((r) => r.row);
}

// ─── Hostile material ───────────────────────────────────────────────────────────────────────────────────────────

const PATH_TRICKS = [
  "..",
  "../..",
  "../../../../etc/passwd",
  "%2e%2e",
  "%2e%2e%2f%2e%2e",
  "..%2f..%2fetc%2fpasswd",
  "..\\..\\windows",
  "\u0000",
  "%00",
  "a\u0000b",
  "callback.csv%00.txt",
  "callback.csv\u0000",
  "x".repeat(5000),
  "9".repeat(400),
  "ü",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "\u202e1",
  "１２３",
  "-1",
  "0",
  "00",
  "99999999999999999999",
  "9007199254740993",
  "1e309",
  "-0",
  "NaN",
  "Infinity",
  "0x10",
  " 1",
  "1 ",
  "1.5",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
  "not-a-uuid",
  "{12345678-1234-1234-1234-123456789abc}",
  "' OR '1'='1",
  "1; drop table users; --",
  "callback.csv/../access.csv",
  "CALLBACK.csv",
  "callback.CSV",
  "refresh.csv.",
  ".csv",
  "callback.csv?x=1",
  "access",
  "webhook.csv\n",
  "%",
  "%%",
  "%zz",
  "[object Object]",
  "__proto__",
  "constructor",
  "toString",
  "",
];
/**
 * Paths under Auth.js's routes whose percent-encoding does not decode (invalid UTF-8, overlong forms, a cut-off
 * escape), sent raw: routeUrl would encode them into harmless text. Each must answer 400 (issue 15, point 7).
 */
const UNDECODABLE_AUTH_PATHS = ["signin/%F8%A1%A1%A1%A1", "error%C0%AE%C0%AE%2F", "session%", "callback/credentials%E0%A4%A", "csrf%FF", "%C0%AF..%C0%AF"];
const AUTH_SEGMENTS = ["session", "csrf", "providers", "signin", "signout", "callback", "credentials", "error", "verify-request", "webauthn-options", "..", "%2e%2e", "x".repeat(3000), "\u0000", "callback/../session", "CSRF", ""];
const QUERY_NAMES = ["log", "from", "to", "outcome", "actor", "q", "cursor", "limit", "afterName", "afterId", "environment", "code", "state", "realmId", "realmid", "error", "callbackUrl", "page", "sort", "__proto__", "constructor", "toString", "a[]", "a[b]"];
const QUERY_VALUES = [
  "",
  "callback",
  "refresh",
  "webhook",
  "access",
  "production",
  "sandbox",
  "failure",
  "auditor@acme.test",
  "2026-05-01",
  "9999-99-99",
  "0000-00-00",
  "2026-02-30",
  "-1",
  "0",
  "1e309",
  "NaN",
  "201",
  "99999999999999999999",
  "9341452000000001",
  "garbage-cursor",
  "MjAyNi0wMS0wMVQwMDowMDowMC4wMDBafDE",
  "%00",
  "%C3%28",
  "%ZZ",
  "%F0%9F%92%A9",
  "%E2%80%AE",
  "'; drop table audit_events; --",
  "<script>alert(1)</script>",
  "//evil.test",
  "javascript:alert(1)",
  "access_denied",
  "A".repeat(300),
];

const WRONG_VALUES: unknown[] = [
  {},
  [],
  [[]],
  { $ne: null },
  { __proto__: { isAdmin: true } },
  ["a", 1, null],
  { nested: { deeper: { deepest: [1, { x: "y" }] } } },
  [{}],
];

function wrongTypedObject(rng: Rng, fields: string[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  // At least one field the schema knows gets a value no field accepts (an object or an array).
  for (const field of fields) if (chance(rng, 0.6) || Object.keys(object).length === 0) object[field] = pick(rng, WRONG_VALUES);
  if (chance(rng, 0.3)) object[pick(rng, ["role", "tenantId", "userId", "isAdmin", "constructor", "prototype", "extra"])] = pick(rng, [true, 1, "x", null, {}]);
  return object;
}

function deepJson(rng: Rng): string {
  const depth = pick(rng, [1_000, 10_000, 100_000]);
  return chance(rng, 0.5) ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

function utf16(text: string, bom: boolean): Uint8Array {
  const body = Buffer.from(text, "utf16le");
  return new Uint8Array(bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body);
}

const INVALID_UTF8 = [[0xff], [0xfe, 0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80]];

interface Body {
  bytes: Uint8Array | null;
  note: string;
}
const text = (value: string, note: string): Body => ({ bytes: new TextEncoder().encode(value), note });

/** A JSON body that no schema of the route accepts (never empty for optional-json: an empty body there means `{}`). */
function invalidJsonBody(rng: Rng, fields: string[], allowEmpty: boolean): Body {
  const wrong = () => JSON.stringify(wrongTypedObject(rng, fields));
  const kind = int(rng, 0, allowEmpty ? 11 : 10);
  switch (kind) {
    case 0:
      return text(pick(rng, ["{", '{"a":}', "[1,2", "{'a':1}", "NaN", "undefined", '{"a":1}garbage', '"unterminated', '{"a":"\\uZZZZ"}', "tru", "01", "{\"a\":1,}", "\u0000", "/* */{}"]), "malformed JSON");
    case 1:
      return text(pick(rng, ["null", "0", "-1e400", '"str"', "[]", "[{}]", "true", "1e309", "[null]", '""']), "JSON that is not an object");
    case 2:
      return text(deepJson(rng), "deeply nested JSON");
    case 3:
    case 4:
      return text(wrong(), "wrong types");
    case 5:
      return { bytes: new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(wrong())]), note: "UTF-8 BOM + wrong types" };
    case 6:
      return { bytes: utf16(wrong(), chance(rng, 0.5)), note: "UTF-16" };
    case 7: {
      const bad = pick(rng, INVALID_UTF8);
      const json = new TextEncoder().encode(wrong());
      return { bytes: new Uint8Array(chance(rng, 0.5) ? [...bad, ...json] : [...json.slice(0, 2), ...bad, ...json.slice(2)]), note: "invalid UTF-8" };
    }
    case 8:
      return { bytes: new Uint8Array(gzipSync(Buffer.from(wrong()))), note: "gzip of wrong types" };
    case 9: {
      const bytes = new Uint8Array(int(rng, 1, 4096));
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(rng, 0, 255);
      return { bytes, note: "random bytes" };
    }
    case 10: {
      const size = pick(rng, [70_000, 300_000, 1_100_000]);
      return text(`{"${fields[0] ?? "x"}":{"pad":"${"p".repeat(size)}"}}`, `huge JSON (${size} bytes)`);
    }
    default:
      return { bytes: null, note: "no body" };
  }
}

function ledgerBody(rng: Rng, fields: string[]): Body {
  const kind = int(rng, 0, 4);
  if (kind === 0) {
    const rows = Array.from({ length: int(rng, 1, 20) }, () => pick(rng, ["A,,x,notanumber,2026-13-45", '"unterminated,Cash,asset,1,2026-01-01', "1000,Cash,asset,1e309,2026-01-01", "=cmd|' /C calc'!A0,x,y,z,w", ",,,,", "1000,Cash"]));
    return text(["code,name,type,balance,as_of", ...rows].join(pick(rng, ["\n", "\r\n", "\r"])), "CSV with bad rows");
  }
  if (kind === 1) return text(pick(rng, ["garbage", "a;b;c\n1;2;3", "\u0000\u0000", "code,name\n1,2", '"', "balance,code\n"]), "CSV without the header");
  if (kind === 2) return text(JSON.stringify(Array.from({ length: int(rng, 1, 5) }, () => wrongTypedObject(rng, fields))), "JSON rows of wrong types");
  if (kind === 3) return { bytes: new Uint8Array([...pick(rng, INVALID_UTF8), 0x41, 0x2c]), note: "invalid UTF-8" };
  return invalidJsonBody(rng, fields, false);
}

function authFormBody(rng: Rng): Body {
  const params = new URLSearchParams();
  for (let i = int(rng, 0, 5); i > 0; i--) {
    params.append(pick(rng, ["email", "password", "csrfToken", "callbackUrl", "redirect", "json", "tenantId", "__proto__"]), pick(rng, [...QUERY_VALUES, "admin@acme.test", "x".repeat(5000)]));
  }
  if (chance(rng, 0.3)) return invalidJsonBody(rng, ["email", "password", "csrfToken"], true);
  return text(params.toString(), "form fields");
}

// ─── One request ────────────────────────────────────────────────────────────────────────────────────────────────

interface FuzzCase {
  entry: string;
  index: number;
  caller: string;
  method: Method;
  url: string;
  params: RouteParams;
  headers: [string, string][];
  body: Body;
  /** A dynamic segment names a real row of another tenant than the caller's: never a success. */
  foreignRow?: boolean;
  /** For the fixed cases: the status the request must get. */
  expectStatus?: number;
}

/** A dynamic segment's value, and whether it names a real row of Acme (for a caller who is not of Acme). */
function paramValue(rng: Rng, route: string, name: string, caller: Caller): { value: string | string[]; foreign: boolean } {
  if (isCatchAll(route, name)) return { value: Array.from({ length: int(rng, 1, 4) }, () => pick(rng, AUTH_SEGMENTS)), foreign: false };
  if (caller.tenant !== "acme" && chance(rng, 0.25)) {
    const id = route.includes("api-keys")
      ? realIds.apiKey
      : route.includes("mappings")
        ? realIds.ledgerAccount
        : route.includes("sync")
          ? String(realIds.syncRun)
          : name === "lineId"
            ? String(realIds.line)
            : String(realIds.reconciliation);
    return { value: id, foreign: true };
  }
  return { value: plainParamValue(rng, name), foreign: false };
}

function plainParamValue(rng: Rng, name: string): string {
  if (name === "file" && chance(rng, 0.15)) return pick(rng, ["callback.csv", "refresh.csv", "webhook.csv", "access.csv"]);
  return pick(rng, [...PATH_TRICKS, randomUuidFrom(rng), String(int(rng, 100_000, 999_999_999))]);
}

function randomUuidFrom(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => int(rng, 0, 15).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function hostileQuery(rng: Rng): string {
  if (chance(rng, 0.3)) return "";
  const parts: string[] = [];
  for (let i = int(rng, 1, 8); i > 0; i--) {
    const name = pick(rng, QUERY_NAMES);
    const value = chance(rng, 0.05) ? "Z".repeat(int(rng, 10_000, 200_000)) : pick(rng, QUERY_VALUES);
    // Repeated keys are common: `log=a&log=b`.
    for (let r = chance(rng, 0.2) ? int(rng, 2, 4) : 1; r > 0; r--) parts.push(`${encodeURIComponent(name)}=${value.includes("%") ? value : encodeURIComponent(value)}`);
  }
  if (chance(rng, 0.1)) parts.push("&&&", "=", "novalue");
  return `?${parts.join("&")}`;
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "text/plain",
  "text/csv",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "application/cloudevents+json",
  "*/*",
  "application/json, text/csv",
  "APPLICATION/JSON",
  "json",
  "",
];

function buildCase(entry: string, index: number, rng: Rng, plan: RoutePlan, method: Method, route: string): FuzzCase {
  // Half the requests come from members, so that they get past the gate to the parsing behind it.
  const fromMember = chance(rng, 0.5);
  let caller = pick(rng, callers.filter((c) => c.member === fromMember));
  const params: RouteParams = {};
  let foreignRow = false;
  for (const name of paramNames(route)) {
    const { value, foreign } = paramValue(rng, route, name, caller);
    params[name] = value;
    foreignRow ||= foreign;
  }
  const headers: [string, string][] = [];
  const reads = plan.body !== "none";

  // Origin: right, missing, foreign, "null", duplicated.
  let badOrigin = false;
  if (method !== "GET") {
    const origin = pick(rng, ["right", "right", "right", "missing", "foreign", "null", "twice", "scheme"]);
    if (origin === "right") headers.push(["origin", APP]);
    else {
      badOrigin = true;
      if (origin === "foreign") headers.push(["origin", "https://evil.test"]);
      if (origin === "null") headers.push(["origin", "null"]);
      if (origin === "twice") headers.push(["origin", APP], ["origin", APP]);
      if (origin === "scheme") headers.push(["origin", "https://localhost:3000"]);
    }
  }

  // The tenant the console page names (x-qbc-tenant, or ?tenant= on a link): mostly the caller's own, as the console
  // sends it; else none, a tenant nobody here belongs to, garbage, or the header twice.
  let claim = pick(rng, ["own", "own", "own", "own", "missing", "stranger", "garbage", "twice"] as const);
  // Connect is a GET that changes something: like every change, it must name its tenant.
  const changes = method !== "GET" || entry === "GET /api/quickbooks/connect";
  const badClaim = () => claim === "stranger" || claim === "garbage" || claim === "twice" || (claim === "missing" && changes);

  // A route that acts must refuse: members of a tenant get a bad origin or tenant, or a body or id the route refuses.
  const refusesAnyway = badOrigin || paramNames(route).length > 0 || plan.body === "json" || plan.body === "optional-json" || plan.body === "ledger";
  if (plan.acts && caller.member && !refusesAnyway && !badClaim()) {
    const spoil = pick(rng, method === "GET" ? (["caller", "tenant"] as const) : (["origin", "tenant"] as const));
    if (spoil === "caller") caller = pick(rng, callers.filter((c) => !c.member));
    else if (spoil === "tenant") claim = pick(rng, ["missing", "stranger", "garbage", "twice"] as const);
    else {
      const originAt = headers.findIndex(([name]) => name === "origin");
      if (originAt >= 0) headers.splice(originAt, 1);
      if (chance(rng, 0.5)) headers.push(["origin", "https://evil.test"]);
    }
  }
  for (const [name, value] of Object.entries(caller.headers)) headers.push([name, value]);
  const own = caller.tenantId ?? (chance(rng, 0.5) ? strangerTenantId : randomUuidFrom(rng));
  const claimed = claim === "own" || claim === "twice" ? own : claim === "stranger" ? strangerTenantId : claim === "garbage" ? pick(rng, ["garbage", "", "' or 1=1 --", own.toUpperCase().replace(/-/g, ""), "x".repeat(5000)]) : null;
  // A link names its tenant in the query; the console's requests in the header.
  const inQuery = method === "GET" && claimed !== null && claim !== "twice" && chance(rng, 0.3);
  if (claimed !== null && !inQuery) headers.push([TENANT_HEADER, claimed]);
  if (claim === "twice") headers.push([TENANT_HEADER, claimed!]);

  let body: Body = { bytes: null, note: "no body" };
  if (method !== "GET") {
    if (plan.body === "json") body = invalidJsonBody(rng, plan.fields ?? [], true);
    else if (plan.body === "optional-json") body = invalidJsonBody(rng, plan.fields ?? [], false);
    else if (plan.body === "ledger") body = ledgerBody(rng, plan.fields ?? []);
    else if (plan.body === "auth-form") body = authFormBody(rng);
    else if (plan.body === "webhook") body = webhookBody(rng, headers);
    else if (chance(rng, 0.3)) body = invalidJsonBody(rng, ["x"], true);
  }

  if (method !== "GET" && plan.body !== "webhook") {
    const type = reads && chance(rng, 0.5) ? pick(rng, plan.body === "ledger" ? ["text/csv", "application/json"] : ["application/json"]) : pick(rng, CONTENT_TYPES);
    if (type) headers.push(["content-type", type]);
    if (chance(rng, 0.15)) headers.push(["content-type", pick(rng, CONTENT_TYPES) || "text/html"]);
  }
  if (chance(rng, 0.1)) headers.push(["content-encoding", pick(rng, ["gzip", "br", "deflate", "gzip, gzip", "x-unknown"])]);
  if (chance(rng, 0.5)) headers.push(["accept", pick(rng, ["application/json", "text/html", "text/html,application/xhtml+xml", "*/*", "text/csv", "image/png", ""])]);
  if (chance(rng, 0.1)) headers.push(["user-agent", pick(rng, ["", "x".repeat(10_000), "curl/8.0", "\u00ff\u00fe"])]);
  if (chance(rng, 0.1)) headers.push(["x-forwarded-for", pick(rng, ["1.1.1.1, 2.2.2.2", "x".repeat(2000), "::1", "", "999.999.999.999"])]);
  if (chance(rng, 0.1)) headers.push(["x-request-id", pick(rng, ["", "r".repeat(8000), "' or 1=1", "\u00e9\u00e8"])]);
  if (chance(rng, 0.05)) headers.push(["content-length", pick(rng, ["-1", "abc", "99999999999", "0", "1e3"])]);
  if (chance(rng, 0.1)) headers.push(["host", pick(rng, ["evil.test", "localhost:3000", "", "a".repeat(300)])]);
  if (chance(rng, 0.05)) headers.push(["x-forwarded-host", "evil.test"], ["x-forwarded-proto", "https"]);

  let query = plan.body === "webhook" && chance(rng, 0.7) ? "" : hostileQuery(rng);
  if (inQuery) query = `${query ? `${query}&` : "?"}${TENANT_QUERY}=${encodeURIComponent(claimed!)}`;
  return { entry, index, caller: caller.label, method, url: `${routeUrl(route, params)}${query}`, params, headers, body, foreignRow };
}

function webhookBody(rng: Rng, headers: [string, string][]): Body {
  const kind = int(rng, 0, 5);
  let body: Body;
  if (kind <= 2) {
    body = invalidJsonBody(rng, ["eventNotifications", "specversion", "id", "type", "intuitaccountid"], true);
  } else if (kind === 3) {
    body = text(
      JSON.stringify(
        pick(rng, [
          { eventNotifications: "x" },
          { eventNotifications: [{ realmId: {}, dataChangeEvent: { entities: [{}] } }] },
          { eventNotifications: [{ realmId: "1", dataChangeEvent: { entities: [{ name: "", id: "1", operation: "Create" }] } }] },
          [{ specversion: 1, id: {}, type: "qbo.x.y.v1" }],
          [{ specversion: "1.0", id: "x", type: "not-a-type", intuitentityid: "1", intuitaccountid: "1" }],
          [],
          Array.from({ length: 1001 }, () => ({ specversion: "1.0" })),
        ]),
      ),
      "webhook payload of wrong shape",
    );
  } else body = text(`{"eventNotifications":[{"realmId":"${"9".repeat(int(rng, 65, 2000))}"}]}`, "oversized field");
  const bytes = body.bytes ?? new Uint8Array(0);
  const signature = pick(rng, ["right", "right", "missing", "other-key", "garbage", "empty", "twice", "other-body"]);
  if (signature === "right") headers.push(["intuit-signature", signWebhookBody(bytes, VERIFIER)]);
  if (signature === "other-key") headers.push(["intuit-signature", signWebhookBody(bytes, "not-the-verifier-token")]);
  if (signature === "garbage") headers.push(["intuit-signature", pick(rng, ["garbage", "=", "x".repeat(5000), "\u00ff"])]);
  if (signature === "empty") headers.push(["intuit-signature", ""]);
  if (signature === "twice") headers.push(["intuit-signature", signWebhookBody(bytes, VERIFIER)], ["intuit-signature", signWebhookBody(bytes, VERIFIER)]);
  if (signature === "other-body") headers.push(["intuit-signature", signWebhookBody("{}", VERIFIER)]);
  headers.push(["content-type", pick(rng, ["application/json", "application/json", "application/cloudevents+json", "text/plain", "", "application/json; charset=utf-16"])]);
  return { ...body, note: `${body.note}, signature ${signature}` };
}

function toRequest(c: FuzzCase): Request {
  const headers = new Headers();
  for (const [name, value] of c.headers) headers.append(name, value);
  return new NextRequest(new URL(c.url, APP), {
    method: c.method,
    headers,
    body: c.method === "GET" || c.body.bytes === null ? undefined : new Uint8Array(c.body.bytes),
  });
}

function describeCase(c: FuzzCase): string {
  const short = (value: string, max = 160) => (value.length > max ? `${value.slice(0, max)}… (${value.length} chars)` : value);
  const bodyPreview = c.body.bytes === null ? "none" : `${c.body.note}, ${c.body.bytes.byteLength} bytes: ${JSON.stringify(short(Buffer.from(c.body.bytes.slice(0, 200)).toString("latin1")))}`;
  return [
    `seed ${SEED}, ${c.entry} #${c.index} as ${c.caller}`,
    `  ${c.method} ${short(c.url, 300)}`,
    `  params ${short(JSON.stringify(c.params), 300)}`,
    ...c.headers.map(([name, value]) => `  ${name}: ${short(value)}`),
    `  body ${bodyPreview}`,
  ].join("\n");
}

/** Auth.js's routes with a path that does not decode, from a stranger and from a member: 400. */
function undecodablePathCases(): { c: FuzzCase; handler: Handler }[] {
  const cases: { c: FuzzCase; handler: Handler }[] = [];
  for (const { entry, method, handler } of entries) {
    if (!entry.endsWith("/api/auth/[...nextauth]")) continue;
    for (const [index, path] of UNDECODABLE_AUTH_PATHS.entries()) {
      for (const caller of [callers.find((c) => !c.member)!, callers.find((c) => c.member)!]) {
        const headers: [string, string][] = [["origin", APP], ["content-type", "application/x-www-form-urlencoded"], ...Object.entries(caller.headers)];
        const body = method === "POST" ? text("csrfToken=x&email=a%40b.test&password=x", "sign-in form") : { bytes: null, note: "none" };
        cases.push({ c: { entry, index: -10 - index, caller: caller.label, method, url: `/api/auth/${path}`, params: { nextauth: path.split("/") }, headers, body, expectStatus: 400 }, handler });
      }
    }
  }
  return cases;
}

/** Bodies one byte over each route's limit, announced or not, from a caller who gets past the gate: 413. */
function overLimitCases(): { c: FuzzCase; handler: Handler }[] {
  const admins = { admin: callers.find((c) => c.label === "admin@acme.test on acme")!, operator: callers.find((c) => c.label === "operator@awra.test on acme")! };
  const cases: { c: FuzzCase; handler: Handler }[] = [];
  for (const { entry, method, route, handler } of entries) {
    const limit = PLAN[entry]?.limit;
    if (!limit) continue;
    const admin = PLAN[entry]?.operatorOnly ? admins.operator : admins.admin;
    const type = entry.endsWith("/ledger") ? "text/csv" : "application/json";
    const over = new Uint8Array(limit + 1).fill(0x20);
    // Ids of the right shape that name no row: the body is read before the row is looked up.
    const params: RouteParams = Object.fromEntries(paramNames(route).map((name) => [name, route.includes("api-keys") || name === "ledgerAccountId" ? randomUUID() : "999999999"]));
    const base = { entry, method, url: routeUrl(route, params), params, expectStatus: 413 };
    const headers: [string, string][] = [["origin", APP], ["content-type", type], [TENANT_HEADER, admin.tenantId!], ...Object.entries(admin.headers)];
    cases.push(
      { c: { ...base, index: -1, caller: admin.label, headers, body: { bytes: over, note: "one byte over the limit" } }, handler },
      { c: { ...base, index: -2, caller: admin.label, headers: [...headers, ["content-length", String(limit + 1)]], body: { bytes: new Uint8Array(8), note: "declared over the limit" } }, handler },
    );
  }
  return cases;
}

// ─── What every answer must be ──────────────────────────────────────────────────────────────────────────────────

const STACK_TRACE = [/\n\s+at /, /node_modules/, /\/work\//, /\.tsx?:\d/, /\.m?js:\d+:\d+/, /webpack-internal/];

function stringsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, into);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringsOf(v, into);
  return into;
}

/** The problems with one answer, or none. */
function problemsOf(entry: string, answer: { status: number; headers: Headers; body: string }): string[] {
  const problems: string[] = [];
  // The readiness probe's 503 is its answer (this test starts no job runner), not a failure: it must still be the
  // JSON error below.
  const probeNotReady = entry === "GET /api/ready" && answer.status === 503;
  if (answer.status >= 500 && !probeNotReady) problems.push(`status ${answer.status}`);
  const headerText = [...answer.headers.entries()].map(([name, value]) => `${name}: ${value}`).join("\n");
  for (const pattern of STACK_TRACE) {
    if (pattern.test(answer.body)) problems.push(`stack trace in the body (${pattern})`);
    if (pattern.test(headerText)) problems.push(`stack trace in a header (${pattern})`);
  }
  for (const secret of secrets) {
    if (answer.body.includes(secret) || headerText.includes(secret)) problems.push(`a secret in the answer (${secret.slice(0, 4)}…)`);
  }
  let json: unknown;
  const isJson = /json/.test(answer.headers.get("content-type") ?? "");
  if (isJson) {
    try {
      json = JSON.parse(answer.body);
    } catch {
      problems.push("a JSON content type with a body that is not JSON");
    }
  }
  // "Error:" may only appear inside a message written for people (a JSON error message), never as raw output.
  const userMessage = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
  const raw = isJson ? stringsOf(json).filter((s) => s !== userMessage) : [answer.body];
  if (raw.some((s) => /\b[A-Za-z]*Error:/.test(s))) problems.push("an error's name and message in the answer");
  if (answer.status >= 400 && !FOREIGN_PROTOCOL.has(entry)) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (!isJson || typeof error?.code !== "string" || typeof error.message !== "string") problems.push("an error that is not JSON { error: { code, message } }");
  }
  return problems;
}

// ─── The run ────────────────────────────────────────────────────────────────────────────────────────────────────

interface Outcome {
  sent: number;
  byStatus: Map<number, number>;
  byEntry: Map<string, number>;
  msByEntry: Map<string, number>;
  byEntryStatus: Map<string, number>;
  failures: { summary: string[]; detail: string }[];
  ms: number;
}

async function send(c: FuzzCase, handler: Handler, outcome: Outcome): Promise<void> {
  let answer: { status: number; headers: Headers; body: string };
  const t0 = performance.now();
  try {
    answer = await callRoute(handler, toRequest(c), c.params);
  } catch (error) {
    answer = { status: 599, headers: new Headers(), body: `the handler threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  outcome.sent++;
  outcome.msByEntry.set(c.entry, (outcome.msByEntry.get(c.entry) ?? 0) + performance.now() - t0);
  outcome.byStatus.set(answer.status, (outcome.byStatus.get(answer.status) ?? 0) + 1);
  const cell = `${c.entry} → ${answer.status}`;
  outcome.byEntryStatus.set(cell, (outcome.byEntryStatus.get(cell) ?? 0) + 1);
  if (c.index >= 0) outcome.byEntry.set(c.entry, (outcome.byEntry.get(c.entry) ?? 0) + 1);
  const problems = problemsOf(c.entry, answer);
  if (c.expectStatus !== undefined && answer.status !== c.expectStatus) problems.push(`expected ${c.expectStatus}, got ${answer.status}`);
  if (c.foreignRow && answer.status < 300) problems.push(`another tenant's row answered ${answer.status}`);
  if (problems.length > 0) {
    outcome.failures.push({
      summary: problems.map((p) => `${c.entry}: ${p}`),
      detail: `${problems.join("; ")}\n${describeCase(c)}\n  → ${answer.status} ${JSON.stringify(answer.body.slice(0, 400))}`,
    });
  }
}

/** Sends the cases, a few at a time on PostgreSQL (PGlite is one connection: one at a time there). */
async function sendAll(cases: Iterator<{ c: FuzzCase; handler: Handler }>, outcome: Outcome): Promise<void> {
  const concurrency = databaseHandle().kind === "postgres" ? 4 : 1;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = cases.next(); !next.done; next = cases.next()) {
        const { c, handler } = next.value;
        const before = TRACE.length > 0 ? JSON.stringify([...(await fingerprint(TRACE.map((name) => ({ name, order: "t::text" }))))]) : "";
        await send(c, handler, outcome);
        if (TRACE.length > 0 && JSON.stringify([...(await fingerprint(TRACE.map((name) => ({ name, order: "t::text" }))))]) !== before) {
          outcome.failures.push({ summary: [`${c.entry}: changed a traced table`], detail: `changed ${TRACE.join(", ")}\n${describeCase(c)}` });
        }
      }
    }),
  );
}

let entries: Awaited<ReturnType<typeof routeEntries>> = [];

beforeAll(async () => {
  resetEnvForTests();
  entries = await routeEntries();
  const [initech] = await db().insert(tenants).values({ slug: "initech", name: "Initech (no members)" }).returning();
  strangerTenantId = initech!.id;
  // Stored secrets to look for: a connection's tokens, and a tenant's own Intuit client secret.
  await connectTenant("accountant@acme.test");
  const [admin] = await db().select().from(users).where(eq(users.email, "admin@acme.test"));
  await updateIntuitSettings(await tenantId("globex"), admin!.id, { environment: "sandbox", clientId: "globex-own-client-id", clientSecret: "globex-own-client-secret-4242" });
  await setUpCallers();
  await setUpRows();
  await collectSecrets();
}, 60_000);

describe("the fuzz inventory", () => {
  it("has a plan for every route and method the walker finds, and no stale entries", () => {
    const found = entries.map((e) => e.entry);
    expect(found.length).toBeGreaterThan(30);
    expect(found.filter((entry) => !(entry in PLAN)), "routes the fuzz does not know: add them to PLAN").toEqual([]);
    expect(Object.keys(PLAN).filter((entry) => !found.includes(entry)), "PLAN entries without a route").toEqual([]);
  });
});

describe("the secrets the fuzz looks for", () => {
  it("include the configuration's, a connection's tokens, a tenant's client secret, API keys and password hashes", async () => {
    const [connection] = await db().select().from(quickbooksConnections);
    expect(connection?.accessTokenEnc).toBeTruthy();
    const cipher = tokenCipher();
    for (const secret of [process.env.AUTH_SECRET!, VERIFIER, "globex-own-client-secret-4242", cipher.decrypt(connection!.accessTokenEnc!, connectionTokenBinding(connection!, "access_token_enc")), cipher.decrypt(connection!.refreshTokenEnc!, connectionTokenBinding(connection!, "refresh_token_enc"))]) {
      expect(secrets.has(secret), secret.slice(0, 6)).toBe(true);
    }
    expect(secrets.size).toBeGreaterThan(15);
  });
});

describe("hostile requests to every route", () => {
  it("answer below 500, without a stack trace or a secret, and store nothing but evidence", { timeout: 240_000 }, async () => {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const tables = await tablesWithKeys();
    const evidence = Object.keys(EVIDENCE_TABLES);
    for (const table of evidence) expect(tables.map((t) => t.name), `evidence table ${table}`).toContain(table);
    const before = await fingerprint(tables);
    const evidenceBefore = new Map(await Promise.all(evidence.map(async (t) => [t, await rowTexts(t)] as const)));

    // Built one at a time as they are sent: some bodies are megabytes.
    function* cases(): Generator<{ c: FuzzCase; handler: Handler }> {
      for (const { entry, method, route, handler } of entries) {
        if (ONLY && entry !== ONLY) continue;
        const plan = PLAN[entry];
        if (!plan) continue;
        const rng = streamFor(entry);
        for (let index = 0; index < PER_ENTRY; index++) yield { c: buildCase(entry, index, rng, plan, method, route), handler };
      }
      if (!ONLY) yield* overLimitCases();
      if (!ONLY) yield* undecodablePathCases();
    }
    const outcome: Outcome = { sent: 0, byStatus: new Map(), byEntry: new Map(), msByEntry: new Map(), byEntryStatus: new Map(), failures: [], ms: 0 };
    const logged: string[] = [];
    const capture = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
    const spies = [vi.spyOn(console, "error").mockImplementation(capture), vi.spyOn(console, "warn").mockImplementation(capture)];
    try {
      await sendAll(cases(), outcome);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    // Work deferred past the answer (there should be none for a refused request) gets its chance to run.
    await new Promise((resolve) => setTimeout(resolve, 50));

    const after = await fingerprint(tables);
    const changed = tables.map((t) => t.name).filter((name) => JSON.stringify(before.get(name)) !== JSON.stringify(after.get(name)));
    const gained: string[] = [];
    for (const table of evidence) {
      const old = new Set(evidenceBefore.get(table));
      const now = await rowTexts(table);
      const kept = new Set(now);
      const lost = [...old].filter((row) => !kept.has(row));
      expect(lost, `${table} is append-only: rows changed or vanished`).toEqual([]);
      gained.push(...now.filter((row) => !old.has(row)));
    }
    const leaked = gained.filter((row) => [...secrets].some((secret) => row.includes(secret)));
    // What a refused request leaves behind is bounded: hostile headers and bodies are not stored whole.
    const oversized = gained.filter((row) => row.length > EVIDENCE_ROW_MAX_CHARS).map((row) => `${row.slice(0, 200)}… (${row.length} chars)`);
    const loggedSecrets = logged.filter((line) => [...secrets].some((secret) => line.includes(secret)));

    outcome.ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const statuses = [...outcome.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`);
    // FUZZ_STATUSES=1: what each route answered; FUZZ_TIMES=1: where the time went.
    if (process.env.FUZZ_STATUSES) console.info([...outcome.byEntryStatus].map(([cell, n]) => `${cell} ×${n}`).join("\n"));
    if (process.env.FUZZ_TIMES) console.info([...outcome.msByEntry].sort((a, b) => b[1] - a[1]).map(([e, ms]) => `${Math.round(ms)} ms ${e}`).join("\n"));
    console.info(`fuzz: seed ${SEED}, ${outcome.sent} requests to ${outcome.byEntry.size} routes in ${Math.round(outcome.ms)} ms (CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms); ${statuses.join(" ")}; evidence rows gained: ${gained.length}; server log lines: ${logged.length}`);

    // What went wrong, once per route and kind, then the first few requests in full (enough to replay them).
    const kinds = new Map<string, number>();
    for (const f of outcome.failures) for (const k of f.summary) kinds.set(k, (kinds.get(k) ?? 0) + 1);
    expect(
      { kinds: [...kinds].map(([k, n]) => `${k} ×${n}`), first: outcome.failures.slice(0, 5).map((f) => f.detail) },
      `${outcome.failures.length} bad answers (seed ${SEED})`,
    ).toEqual({ kinds: [], first: [] });
    expect(changed.filter((name) => !(name in EVIDENCE_TABLES)), "tables changed by refused requests").toEqual([]);
    expect(leaked.slice(0, 5), "evidence rows holding a secret").toEqual([]);
    expect(oversized.slice(0, 5), `evidence rows over ${EVIDENCE_ROW_MAX_CHARS} characters`).toEqual([]);
    expect(loggedSecrets.slice(0, 5), "server log lines holding a secret").toEqual([]);
    if (!ONLY) {
      for (const { entry } of entries) expect(outcome.byEntry.get(entry) ?? 0, `${entry} was not fuzzed`).toBe(PER_ENTRY);
      expect(outcome.sent).toBeGreaterThanOrEqual(3000);
    }
  });
});
