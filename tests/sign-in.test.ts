// Sign-in: the rate limit against password guessing (per email and per address, counted in PostgreSQL), the
// session cookie's attributes, and where Auth.js may send the browser afterwards. Through the real Auth.js route
// handler (app/api/auth/[...nextauth]) and the use-case behind it.
import { and, eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...nextauth]/route";
import { db } from "@/db";
import { auditEvents, users } from "@/db/schema";
import type { RequestMeta } from "@/lib/audit/record";
import { hashPassword } from "@/lib/auth/password";
import { SIGN_IN_THROTTLE, throttledMessage } from "@/lib/auth/sign-in-throttle";
import { signInWithPassword } from "@/lib/auth/sign-in-with-password";
import { resetEnvForTests } from "@/lib/env";
import { TEST_PASSWORD, useTestDatabase } from "./database";

useTestDatabase();

const APP = "http://localhost:3000";
const MINUTE = 60_000;
// Audit rows cannot be deleted (append-only), so every test uses its own addresses and unknown emails.
let counter = 0;
function freshIp(): string {
  counter += 1;
  return `198.51.100.${counter}`;
}
function meta(ip: string | null): RequestMeta {
  return { requestId: null, ip, userAgent: "vitest" };
}

/** A user of its own for one test: the seeded ones' counts are shared by the whole file. */
async function createUser(email: string): Promise<string> {
  await db().insert(users).values({ email, name: email, passwordHash: await hashPassword(TEST_PASSWORD) });
  return email;
}

async function auditCount(action: "auth.sign_in_failed" | "auth.sign_in_throttled", email: string): Promise<number> {
  const rows = await db()
    .select({ n: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), sql`${auditEvents.details}->>'email' = ${email}`));
  return rows[0]?.n ?? 0;
}

describe("sign-in rate limit (signInWithPassword)", () => {
  it("refuses the 6th attempt for an email after 5 failures in 15 minutes, even with the right password", async () => {
    const email = "accountant@acme.test";
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailuresPerEmail; i++) {
      expect(await signInWithPassword({ email, password: `wrong-${i}`, meta: meta(freshIp()) })).toEqual({ ok: false, reason: "invalid_credentials" });
    }
    const refused = await signInWithPassword({ email, password: TEST_PASSWORD, meta: meta(freshIp()) });
    expect(refused).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: expect.any(Number) });
    if (refused.ok || refused.reason !== "throttled") throw new Error("expected a refusal");
    expect(refused.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    expect(throttledMessage(refused.retryAfterSeconds)).toBe("Too many sign-in attempts. Try again in 15 minutes.");

    // The refusal is in the audit trail, with why and for how long; the password was not even checked.
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in_throttled"), sql`${auditEvents.details}->>'email' = ${email}`));
    expect(event).toMatchObject({ outcome: "failure", tenantId: null, details: { email, limitedBy: "email", retryAfterSeconds: refused.retryAfterSeconds } });
    expect(await auditCount("auth.sign_in_failed", email)).toBe(5);

    // Once the failures are older than the window, the right password works again.
    const later = () => new Date(Date.now() + 15 * MINUTE + 1000);
    expect(await signInWithPassword({ email, password: TEST_PASSWORD, meta: meta(freshIp()) }, { now: later })).toMatchObject({ ok: true });
  });

  it("counts each email on its own: another account's success neither is refused nor resets the count", async () => {
    const victim = "auditor@acme.test";
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailuresPerEmail; i++) await signInWithPassword({ email: victim, password: "nope", meta: meta(freshIp()) });
    expect(await signInWithPassword({ email: "admin@acme.test", password: TEST_PASSWORD, meta: meta(freshIp()) })).toMatchObject({ ok: true });
    expect(await signInWithPassword({ email: victim, password: TEST_PASSWORD, meta: meta(freshIp()) })).toMatchObject({ reason: "throttled" });
  });

  it("answers an unknown email exactly like a wrong password, and limits it the same way", async () => {
    const unknown = "nobody-1@acme.test";
    const known = "accountant@globex.test";
    const a = await signInWithPassword({ email: unknown, password: "guess", meta: meta(freshIp()) });
    const b = await signInWithPassword({ email: known, password: "guess", meta: meta(freshIp()) });
    expect(a).toEqual(b);
    for (let i = 1; i < SIGN_IN_THROTTLE.maxFailuresPerEmail; i++) await signInWithPassword({ email: unknown, password: "guess", meta: meta(freshIp()) });
    for (let i = 1; i < SIGN_IN_THROTTLE.maxFailuresPerEmail; i++) await signInWithPassword({ email: known, password: "guess", meta: meta(freshIp()) });
    const refusedUnknown = await signInWithPassword({ email: unknown, password: "guess", meta: meta(freshIp()) });
    const refusedKnown = await signInWithPassword({ email: known, password: "guess", meta: meta(freshIp()) });
    expect(refusedUnknown).toMatchObject({ ok: false, reason: "throttled" });
    expect(refusedKnown).toMatchObject({ ok: false, reason: "throttled" });
  });

  it("verifies an unknown email against a real password hash, so it takes as long as a known one", async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await signInWithPassword({ email, password: "wrong-password", meta: meta(freshIp()) });
      return performance.now() - started;
    };
    const existing = await createUser("timing@acme.test");
    await time("warm-up@acme.test");
    const unknown = Math.min(await time("nobody-2@acme.test"), await time("nobody-3@acme.test"));
    const known = Math.min(await time(existing), await time(existing));
    // argon2id verification dominates both (tens of milliseconds); without the dummy hash the unknown one is ~1 ms.
    expect(unknown).toBeGreaterThan(known / 3);
  });

  it("refuses an address after 30 failures in 15 minutes, whatever email it tries next; other addresses go on", async () => {
    const ip = freshIp();
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailuresPerIp; i++) {
      await signInWithPassword({ email: `spray-${i}@acme.test`, password: "Winter2026!", meta: meta(ip) });
    }
    const target = await createUser("ip-target@acme.test");
    const refused = await signInWithPassword({ email: target, password: TEST_PASSWORD, meta: meta(ip) });
    expect(refused).toMatchObject({ ok: false, reason: "throttled" });
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sign_in_throttled"), eq(auditEvents.ip, ip)));
    expect(event?.details).toMatchObject({ limitedBy: "ip" });
    const other = await createUser("ip-test@acme.test");
    expect(await signInWithPassword({ email: other, password: TEST_PASSWORD, meta: meta(freshIp()) })).toMatchObject({ ok: true });
  });

  it("lets a burst of parallel guesses for one email through the count one at a time", async () => {
    const email = "burst@acme.test";
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signInWithPassword({ email, password: `guess-${i}`, meta: meta(freshIp()) })),
    );
    expect(results.filter((r) => !r.ok && r.reason === "invalid_credentials")).toHaveLength(SIGN_IN_THROTTLE.maxFailuresPerEmail);
    expect(results.filter((r) => !r.ok && r.reason === "throttled")).toHaveLength(12 - SIGN_IN_THROTTLE.maxFailuresPerEmail);
    expect(await auditCount("auth.sign_in_failed", email)).toBe(SIGN_IN_THROTTLE.maxFailuresPerEmail);
  });

  it("counts through an index: only the window's tenant-less failures of the audit trail are read", async () => {
    // One transaction, so the setting and the EXPLAIN share a connection (postgres.js pools them).
    const text = await db().transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const plan = await tx.execute(
        sql`explain select created_at from audit_events where tenant_id is null and outcome = 'failure'
            and created_at > now() - interval '15 minutes' and action = 'auth.sign_in_failed'
            and details->>'email' = 'x@acme.test' order by created_at desc limit 5`,
      );
      return JSON.stringify(plan);
    });
    expect(text).toMatch(/Index Scan using audit_events_tenant_outcome_created_idx/);
    expect(text).toMatch(/Index Cond: \(\(tenant_id IS NULL\) AND \(outcome = 'failure'[^)]*\) AND \(created_at > /);
  });
});

// ── Through Auth.js's own route handler ─────────────────────────────────────────────────────────────────────────

interface Cookie {
  name: string;
  value: string;
  attributes: string[];
}

function setCookies(response: Response): Cookie[] {
  return response.headers.getSetCookie().map((line) => {
    const [pair = "", ...attributes] = line.split(";").map((s) => s.trim());
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), attributes: attributes.map((a) => a.toLowerCase()) };
  });
}

async function postCredentials(
  fields: { email: string; password: string; callbackUrl?: string },
  options: { ip?: string; headers?: Record<string, string> } = {},
) {
  const csrf = await authGet(new NextRequest(`${APP}/api/auth/csrf`));
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = setCookies(csrf)
    .map((c) => `${c.name}=${c.value}`)
    .join("; ");
  const body = new URLSearchParams({ ...fields, csrfToken });
  const response = await authPost(
    new NextRequest(`${APP}/api/auth/callback/credentials`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie,
        "x-forwarded-for": options.ip ?? freshIp(),
        ...options.headers,
      },
    }),
  );
  return { response, csrfCookies: setCookies(csrf), cookies: setCookies(response), location: response.headers.get("location") };
}

describe("sign-in through Auth.js: cookies and redirects", () => {
  afterEach(() => {
    process.env.APP_URL = APP;
    resetEnvForTests();
  });

  it("sets an HttpOnly, SameSite=Lax session cookie on the whole site, not Secure over http (development)", async () => {
    const { response, cookies, csrfCookies } = await postCredentials({ email: "admin@acme.test", password: TEST_PASSWORD });
    expect(response.status).toBe(302);
    const session = cookies.find((c) => c.name === "authjs.session-token");
    expect(session?.attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/"]));
    expect(session?.attributes).not.toContain("secure");
    expect(session?.attributes.some((a) => a.startsWith("expires="))).toBe(true);
    const csrf = csrfCookies.find((c) => c.name === "authjs.csrf-token");
    expect(csrf?.attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/"]));
  });

  it("marks every Auth.js cookie Secure (and __Secure-/__Host- prefixed) when APP_URL is https", async () => {
    process.env.APP_URL = "https://connect.example.test";
    resetEnvForTests();
    const { response, cookies, csrfCookies } = await postCredentials({ email: "admin@acme.test", password: TEST_PASSWORD });
    expect(response.status).toBe(302);
    const session = cookies.find((c) => c.name === "__Secure-authjs.session-token");
    expect(session?.attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/", "secure"]));
    const csrf = csrfCookies.find((c) => c.name === "__Host-authjs.csrf-token");
    expect(csrf?.attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/", "secure"]));
    for (const cookie of [...cookies, ...csrfCookies]) {
      expect(cookie.name).toMatch(/^__(Secure|Host)-/);
      expect(cookie.attributes).toContain("secure");
      expect(cookie.attributes).toContain("httponly");
    }
    // After signing in, the browser goes to APP_URL, never to the host the request named.
    expect(new URL(response.headers.get("location")!).origin).toBe("https://connect.example.test");
  });

  it.each([
    "https://evil.test/integrations/quickbooks",
    "//evil.test",
    "/\\evil.test",
    "/..//evil.test",
    "javascript:alert(1)",
    "%2F%2Fevil.test",
    "http://localhost:3000.evil.test/",
  ])("never redirects off-site after sign-in: callbackUrl %j", async (callbackUrl) => {
    const { response, location } = await postCredentials({ email: "admin@acme.test", password: TEST_PASSWORD, callbackUrl });
    expect(response.status).toBe(302);
    expect(location).toBe(`${APP}/integrations/quickbooks`);
  });

  it("keeps a same-site callbackUrl, and ignores a forged X-Forwarded-Host", async () => {
    const { location } = await postCredentials(
      { email: "admin@acme.test", password: TEST_PASSWORD, callbackUrl: "/quickbooks/reconnect?realmId=9341452000000001" },
      { headers: { "x-forwarded-host": "evil.test", host: "evil.test" } },
    );
    expect(location).toBe(`${APP}/quickbooks/reconnect?realmId=9341452000000001`);
  });

  it("sends a refused sign-in back to the login page with the rate_limited code", async () => {
    const ip = freshIp();
    const email = "nobody-4@acme.test";
    for (let i = 0; i < SIGN_IN_THROTTLE.maxFailuresPerEmail; i++) {
      const { location } = await postCredentials({ email, password: "guess" }, { ip });
      expect(new URL(location!).searchParams.get("code")).toBe("credentials");
    }
    const { location, cookies } = await postCredentials({ email, password: "guess" }, { ip });
    const target = new URL(location!);
    expect(target.pathname).toBe("/login");
    expect(target.searchParams.get("code")).toBe("rate_limited");
    expect(cookies.find((c) => c.name.endsWith("session-token"))).toBeUndefined();
    expect(await auditCount("auth.sign_in_throttled", email)).toBe(1);
  });
});
