// Fault suite (issue 18): the outbox across a crash between commit and send. The built app connects a tenant with its
// notification sender off (a sender that has not run yet), so the change and its event are committed and nothing is
// sent; the app is SIGKILLed; a new process starts with its sender on and sends every message once, and only once,
// however long it runs. (A sender that dies after claiming a delivery, mid-send, is tests/notifications/sender.test.ts:
// its lease runs out and the next sender sends it.)
//
// PostgreSQL only: the killed app and its successor share the database with this test. Needs `next build` first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, killProcess, migrateAndSeed, productionEnv, recreateDatabase, startBuiltApp, startEmulatorProcess, stopProcess, type BuiltApp, type Launched } from "@/scripts/built-app";
import { startMailCatcher, type MailCatcher } from "@/mocks/mail/catcher";
import { connectOverHttp, openSql, seededUser, waitUntil, type Sql } from "./support/built-tenants";

const DATABASE = "qbc_faults_notification_kill";
const ACME_REALM = "9341452000000001";
/** Acme's members whose role can reconnect: its accountant, its admin, and the operator (an admin of both tenants). */
const RECIPIENTS = ["accountant@acme.test", "admin@acme.test", "operator@awra.test"];

describe.runIf(process.env.DATABASE_URL)("the outbox when the app is killed between commit and send", () => {
  let emulator: Launched & { url: string };
  let catcher: MailCatcher;
  let env: NodeJS.ProcessEnv;
  let app: BuiltApp | undefined;
  let sql: Sql;
  const serverUrl = (process.env.DATABASE_URL ?? "").replace(/\/[^/]*$/, "");

  beforeAll(async () => {
    const databaseUrl = await recreateDatabase(DATABASE, serverUrl);
    emulator = await startEmulatorProcess({ name: "notification-kill-emulator" });
    catcher = await startMailCatcher();
    env = {
      ...productionEnv({ databaseUrl, appUrl: `http://127.0.0.1:${await freePort()}`, intuitUrl: emulator.url }),
      QBC_BACKGROUND_JOBS: "off",
      SMTP_URL: catcher.smtpUrl,
      MAIL_FROM: "QuickBooks Connect <no-reply@awra.test>",
    };
    await migrateAndSeed(env);
    sql = openSql(databaseUrl);
  });

  afterAll(async () => {
    if (app) await stopProcess(app);
    if (emulator) await stopProcess(emulator);
    await catcher?.stop();
    await sql?.end();
  });

  it("sends what was committed before the kill, once, from the next process", async () => {
    // A process whose sender has not run: the connect commits its event, nothing goes out.
    app = await startBuiltApp({ name: "notification-kill-app", env: { ...env, QBC_NOTIFICATIONS: "off" } });
    const acme = await seededUser(sql, "accountant@acme.test", "acme", env.AUTH_SECRET!);
    expect(await connectOverHttp(app, acme.cookie, ACME_REALM)).toBe("connected");
    const [outbox] = await sql<{ n: number; undispatched: number }[]>`
      select count(*)::int as n, count(*) filter (where dispatched_at is null)::int as undispatched
      from notification_events where tenant_id = ${acme.tenantId} and type = 'connection.connected'`;
    expect(outbox).toEqual({ n: 1, undispatched: 1 });
    await killProcess(app);
    expect(catcher.messages()).toHaveLength(0);

    // The next process, its sender on: each member who can act gets the message once.
    app = await startBuiltApp({ name: "notification-kill-app-2", env });
    await waitUntil("the emails", async () => catcher.messages().length >= RECIPIENTS.length, 30_000);
    // Several more sender passes (every 2 s): nothing is sent twice.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const connected = catcher.messages().filter((m) => m.subject === "[Acme Field Services] QuickBooks is connected");
    expect(connected.flatMap((m) => m.to).sort()).toEqual([...RECIPIENTS].sort());
    const [deliveries] = await sql<{ sent: number; other: number }[]>`
      select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status <> 'sent')::int as other
      from notification_deliveries where tenant_id = ${acme.tenantId}`;
    expect(deliveries).toEqual({ sent: RECIPIENTS.length, other: 0 });
  });
});
