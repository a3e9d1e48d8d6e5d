// PostgreSQL going away under traffic, as the built app sees it: the app reaches its own database through a TCP proxy
// (support/tcp-proxy.ts) that the test cuts and restores, so the server the other tests use keeps running.
// PostgreSQL only: PGlite is embedded in the app process and cannot go away on its own.
import { createHmac, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exited, freePort, keepLogsOnExit, migrateAndSeed, productionEnv, recreateDatabase, sessionCookie, startBuiltApp, stopProcess, tail, type BuiltApp } from "../../scripts/built-app";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";

const DATABASE = "qbc_faults_outage";
const VERIFIER = "outage-webhook-verifier-token";
const AUTH_SECRET = "outage-auth-secret-that-is-long-enough-0123456789";
/** A realm no tenant holds: its events are stored as "ignored", so nothing calls Intuit. */
const UNKNOWN_REALM = "9130350000000001";
/** What must never reach a client: driver and query text, error names, stack frames, file positions. */
const LEAK = /Failed query|DrizzleQueryError|PostgresError|ECONNREFUSED|ECONNRESET|CONNECTION_(CLOSED|DESTROYED|ENDED)|CONNECT_TIMEOUT|\bat (async )?[\w.<>]+ \(|\.tsx?:\d+:\d+|\/app\/\(console\)/;

type Kind = "status" | "export" | "webhook" | "callback" | "console" | "logs-page" | "login";
/** Each kind's answer when the database is there, and when it is not. */
const EXPECTED: Record<Kind, { ok: number; outage: number; api: boolean; busy?: { status: number; code: string } }> = {
  status: { ok: 200, outage: 503, api: true },
  // Four workers can be in an export at once, and a tenant may run two (lib/logs/export-response.ts): the others are
  // told to wait, which is the right answer with or without a database.
  export: { ok: 200, outage: 503, api: true, busy: { status: 429, code: "too_many_exports" } },
  webhook: { ok: 200, outage: 503, api: true },
  callback: { ok: 302, outage: 503, api: true },
  // Next.js gives a page whose server rendering failed 500: an error boundary cannot choose 503 (app/error.tsx).
  console: { ok: 200, outage: 500, api: false },
  "logs-page": { ok: 200, outage: 500, api: false },
  // Signed in: /login sends the user on (307); it reads the session's membership from the database first.
  login: { ok: 307, outage: 500, api: false },
};
const KINDS = Object.keys(EXPECTED) as Kind[];
/** How long after the database's return every kind of request must answer normally again. */
const AFTER_OUTAGE_LIMIT_MS = 20_000;

interface Sample {
  kind: Kind;
  status: number;
  body: string;
  contentType: string;
  retryAfter: string | null;
  sentAt: number;
  ms: number;
  /** Webhooks: the CloudEvents ids of the delivery. */
  eventIds?: string[];
}

const databaseUrl = process.env.DATABASE_URL;

describe.runIf(databaseUrl)("PostgreSQL going away under traffic (built app, TCP proxy)", () => {
  let proxy: TcpProxy;
  let app: BuiltApp;
  let direct: postgres.Sql;
  let cookie: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const server = new URL(databaseUrl!);
    const serverUrl = `${server.protocol}//${server.username ? `${server.username}${server.password ? `:${server.password}` : ""}@` : ""}${server.host}`;
    const url = await recreateDatabase(DATABASE, serverUrl);
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    // Nothing here calls Intuit (no tenant is connected; webhook events are for an unknown realm): a closed port will do.
    const base = productionEnv({ databaseUrl: url, appUrl, intuitUrl: "http://127.0.0.1:9", webhookVerifierToken: VERIFIER, extra: { AUTH_SECRET } });
    await migrateAndSeed(base);
    direct = postgres(url, { max: 2, onnotice: () => {} });
    const [admin] = await direct<{ id: string; tenant_id: string; name: string }[]>`
      select u.id, m.tenant_id, u.name from users u join memberships m on m.user_id = u.id join tenants t on t.id = m.tenant_id
      where u.email = 'admin@acme.test' and t.slug = 'acme'`;
    cookie = await sessionCookie({ id: admin!.id, tenantId: admin!.tenant_id, email: "admin@acme.test", name: admin!.name }, AUTH_SECRET);

    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const proxied = new URL(url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    app = await startBuiltApp({ name: "outage-app", port, env: { ...base, DATABASE_URL: proxied.href } });
    const executablePath = existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined;
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  });

  afterAll(async () => {
    await browser?.close();
    if (app) await stopProcess(app);
    await proxy?.close();
    await direct?.end({ timeout: 5 });
  });

  async function send(kind: Kind): Promise<Sample> {
    const headers: Record<string, string> = { cookie };
    let init: RequestInit = { method: "GET" };
    let path: string;
    let eventIds: string[] | undefined;
    switch (kind) {
      case "status":
        path = "/api/quickbooks/status";
        break;
      case "export":
        path = "/api/quickbooks/logs/callback.csv";
        break;
      case "webhook": {
        const delivery = randomUUID();
        eventIds = [`${delivery}-a`, `${delivery}-b`];
        const body = JSON.stringify(
          eventIds.map((id) => ({ specversion: "1.0", id, source: "intuit", type: "qbo.customer.updated.v1", time: new Date().toISOString(), intuitentityid: "7", intuitaccountid: UNKNOWN_REALM, data: {} })),
        );
        path = "/api/quickbooks/webhooks";
        delete headers.cookie;
        headers["content-type"] = "application/cloudevents+json";
        headers["intuit-signature"] = createHmac("sha256", VERIFIER).update(body).digest("base64");
        init = { method: "POST", body };
        break;
      }
      case "callback":
        // An unknown state: the app writes a failure callback log row and an audit event, in one transaction.
        path = `/api/quickbooks/callback?code=outage-code&state=${randomUUID()}&realmId=123`;
        break;
      case "console":
        path = "/integrations/quickbooks";
        break;
      case "logs-page":
        path = "/integrations/quickbooks/logs";
        break;
      case "login":
        path = "/login";
        break;
    }
    const sentAt = Date.now();
    try {
      const response = await fetch(`${app.url}${path}`, { ...init, headers, redirect: "manual", signal: AbortSignal.timeout(15_000) });
      const body = await response.text();
      return { kind, status: response.status, body, contentType: response.headers.get("content-type") ?? "", retryAfter: response.headers.get("retry-after"), sentAt, ms: Date.now() - sentAt, eventIds };
    } catch (error) {
      // No answer at all (a hang past 15 s, a reset): status 0 fails every check below.
      return { kind, status: 0, body: String(error), contentType: "", retryAfter: null, sentAt, ms: Date.now() - sentAt, eventIds };
    }
  }

  /** What every answer must look like, outage or not. Returns the problems found, to report them all at once. */
  function problemsOf(sample: Sample): string[] {
    const expected = EXPECTED[sample.kind];
    const problems: string[] = [];
    const at = `${sample.kind} (${sample.status}, sent ${sample.sentAt}, ${sample.ms} ms)`;
    const busy = expected.busy && sample.status === expected.busy.status && sample.body.includes(`"code":"${expected.busy.code}"`) && sample.retryAfter !== null;
    if (sample.status !== expected.ok && sample.status !== expected.outage && !busy) problems.push(`${at}: unexpected status; body ${sample.body.slice(0, 300)}`);
    if (LEAK.test(sample.body)) problems.push(`${at}: leaks internals: ${LEAK.exec(sample.body)?.[0]}`);
    if (sample.status === expected.outage && expected.api) {
      let body: { error?: { code?: unknown; message?: unknown } } = {};
      try {
        body = JSON.parse(sample.body) as typeof body;
      } catch {
        problems.push(`${at}: 503 without a JSON body`);
      }
      if (body.error?.code !== "service_unavailable") problems.push(`${at}: error code ${String(body.error?.code)}`);
      if (typeof body.error?.message !== "string" || !/try again/i.test(body.error.message)) problems.push(`${at}: message ${String(body.error?.message)}`);
      if (!sample.contentType.includes("application/json")) problems.push(`${at}: content type ${sample.contentType}`);
      if (sample.retryAfter === null) problems.push(`${at}: no Retry-After`);
    }
    if (sample.status === expected.outage && !expected.api && !sample.contentType.includes("text/html")) problems.push(`${at}: error page is ${sample.contentType}`);
    return problems;
  }

  it("should answer 503 (API) or the unavailable page while it is gone, write nothing by halves, and recover without a restart", async () => {
    const pid = app.pid;
    try {
      // Before: everything works.
      const before = await Promise.all(KINDS.map(send));
      for (const sample of before) expect(sample.status, `${sample.kind} before the outage: ${sample.body.slice(0, 300)}`).toBe(EXPECTED[sample.kind].ok);

      // Mixed traffic from 4 workers, with the database cut in the middle of it.
      const samples: Sample[] = [];
      let stop = false;
      const worker = async (offset: number) => {
        for (let i = offset; !stop; i++) samples.push(await send(KINDS[i % KINDS.length]!));
      };
      const workers = [0, 2, 4, 6].map(worker);
      await new Promise((r) => setTimeout(r, 1_500));

      const cutAt = Date.now();
      await proxy.cut();

      // While it is gone: one of each, checked one by one, and the page as a person sees it in a browser.
      const during = await Promise.all(KINDS.map(send));
      for (const sample of during) {
        expect(problemsOf(sample), sample.kind).toEqual([]);
        expect(sample.status, `${sample.kind} during the outage`).toBe(EXPECTED[sample.kind].outage);
        // Failing fast: no request waits on a database that refuses connections.
        expect(sample.ms, `${sample.kind} answered in ${sample.ms} ms`).toBeLessThan(5_000);
      }
      const context = await browser!.newContext({ baseURL: app.url });
      const cookieValue = cookie.slice(cookie.indexOf("=") + 1);
      await context.addCookies([{ name: cookie.slice(0, cookie.indexOf("=")), value: cookieValue, url: app.url }]);
      const page = await context.newPage();
      const navigation = await page.goto("/integrations/quickbooks");
      expect(navigation?.status()).toBe(500);
      const notice = page.getByTestId("service-problem");
      await expect.poll(() => notice.getAttribute("data-cause"), { timeout: 20_000 }).toBe("database_unavailable");
      expect(await notice.innerText()).toMatch(/can't reach its database right now[\s\S]*try again/i);
      expect(await page.content()).not.toMatch(LEAK);

      // Signing in while it is gone says so, rather than "wrong password" (the sign-in page itself needs no database).
      const visitor = await browser!.newContext({ baseURL: app.url });
      const signIn = await visitor.newPage();
      expect((await signIn.goto("/login"))?.status()).toBe(200);
      await signIn.getByLabel("Email").fill("admin@acme.test");
      await signIn.getByLabel("Password").fill("demo-password-1");
      await signIn.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => signIn.getByText(/can't reach its database right now/).count(), { timeout: 20_000 }).toBe(1);
      expect(await signIn.getByText(/email or password is not correct/).count()).toBe(0);
      await visitor.close();

      // Gone for at least 3 seconds under traffic.
      await new Promise((r) => setTimeout(r, Math.max(0, cutAt + 3_000 - Date.now())));
      await proxy.restore();
      const restoredAt = Date.now();

      // Back: the same process answers again within a few seconds (postgres.js reconnects on its own).
      let recoveredAt = 0;
      while (Date.now() - restoredAt < 15_000) {
        const probe = await send("status");
        if (probe.status === 200) {
          recoveredAt = Date.now();
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(recoveredAt, "no 200 within 15 s of the database's return").toBeGreaterThan(0);
      // Within the connect timeout (5 s, db/client.ts) and a reconnect delay (at most 1 s) of its return.
      expect(recoveredAt - restoredAt).toBeLessThan(7_000);
      await new Promise((r) => setTimeout(r, 1_000));
      stop = true;
      await Promise.all(workers);

      // "Try again" on the unavailable page brings the console back, without a reload.
      await page.getByRole("button", { name: "Try again" }).click();
      await expect.poll(() => page.getByRole("heading", { name: "QuickBooks Online" }).count(), { timeout: 20_000 }).toBe(1);
      await context.close();

      // Every kind of request works again: each is tried until it answers normally, for at most 20 s after the
      // database came back. (A connection attempt begun while it was gone can still fail a request with "try again"
      // for a few seconds after: postgres.js holds the query until the attempt connects or times out. Measured here:
      // every kind normal again 1.7–6.1 s after the return.)
      const after: Sample[] = [];
      for (const kind of KINDS) {
        let sample = await send(kind);
        while (sample.status !== EXPECTED[kind].ok && Date.now() - restoredAt < AFTER_OUTAGE_LIMIT_MS) {
          await new Promise((r) => setTimeout(r, 250));
          sample = await send(kind);
        }
        after.push(sample);
      }
      for (const sample of after) expect(sample.status, `${sample.kind} after the outage: ${sample.body.slice(0, 300)}`).toBe(EXPECTED[sample.kind].ok);
      expect(exited(app.child), "the app process died").toBe(false);
      expect(app.child.pid).toBe(pid);

      // Every answer under traffic was either the normal one or the outage one, never a leak, a 500 from the API,
      // or a hang; the outage was seen, and so was the recovery.
      const problems = samples.flatMap(problemsOf);
      expect(problems).toEqual([]);
      const outageAnswers = samples.filter((s) => s.status === EXPECTED[s.kind].outage);
      expect(outageAnswers.length).toBeGreaterThan(0);
      expect(samples.filter((s) => s.sentAt > recoveredAt && s.status === EXPECTED[s.kind].ok).length).toBeGreaterThan(0);

      // Nothing half-written. Webhooks: a delivery row and all of its events, or neither; a 200 means stored.
      const webhooks = [...before, ...samples, ...during, ...after].filter((s) => s.kind === "webhook");
      const keys = webhooks.flatMap((s) => s.eventIds!.map((id) => `ce:${id}`));
      const stored = new Set((await direct<{ event_key: string }[]>`select event_key from webhook_events where event_key = any(${keys})`).map((r) => r.event_key));
      for (const sample of webhooks) {
        const present = sample.eventIds!.filter((id) => stored.has(`ce:${id}`)).length;
        if (sample.status === 200) expect(present, `delivery answered 200 but ${present}/2 events stored`).toBe(2);
        else expect([0, 2], `delivery answered ${sample.status} with ${present}/2 events stored`).toContain(present);
      }
      const [orphans] = await direct<{ deliveries: number; events: number }[]>`
        select (select count(*)::int from webhook_deliveries d where d.status = 'accepted'
                  and d.new_event_count <> (select count(*) from webhook_events e where e.delivery_id = d.id)) as deliveries,
               (select count(*)::int from webhook_events e where not exists (select 1 from webhook_deliveries d where d.id = e.delivery_id)) as events`;
      expect(orphans).toEqual({ deliveries: 0, events: 0 });

      // Callbacks: the failure log row and its audit event are written together or not at all (a stranger's repeats
      // fold into counted rows, lib/logs/repeat-fold.ts: the counts are what match).
      const [callbacks] = await direct<{ logs: number; audits: number }[]>`
        select (select coalesce(sum(repeat_count), 0)::int from callback_logs where error_code = 'state_unknown') as logs,
               (select coalesce(sum(repeat_count), 0)::int from audit_events where action = 'connection.callback_failed') as audits`;
      expect(callbacks!.logs).toBe(callbacks!.audits);
      const answered = [...before, ...samples, ...during, ...after].filter((s) => s.kind === "callback" && s.status === 302).length;
      expect(callbacks!.logs).toBeGreaterThanOrEqual(answered);

      console.log(
        `database outage: ${samples.length} requests under traffic (${outageAnswers.length} answered as unavailable), ` +
          `cut for ${restoredAt - cutAt} ms, recovered ${recoveredAt - restoredAt} ms after the database came back, ${proxy.accepted} new connections since`,
      );
    } catch (error) {
      console.log(`app log (${keepLogsOnExit()}):\n${tail(app.log, 80)}`);
      throw error;
    }
  });
});
