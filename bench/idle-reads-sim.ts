// One scenario of bench/idle-reads.ts, in a process of its own (its own database, its own emulator, its own clock):
// the product's background sweeps over simulated days against the Intuit emulator, with QuickBooks changes made in
// the emulator and announced by webhooks as Intuit would. Started by bench/idle-reads.ts, which gives it a freshly
// migrated database (DATABASE_URL) and a fresh emulator (--emulator-url), and reads back the JSON it writes (--out).
//
// Scenarios: "normal" (today's sweeps, lib/jobs/queue.ts runTokenSweeps, webhooks flowing), "outage" (the same, with
// the app down for --outage-hours: no sweep runs and Intuit cannot deliver a webhook meanwhile), "legacy" (the
// schedule before issue 16, bench/legacy-schedule.ts, for the baseline).
//
// Time: this process's wall clock is simulated (bench/sim-clock.ts) and the emulator's moved by the same amounts. The
// loop takes a step every --step-minutes simulated minutes (15, the longest gap the heartbeat does not take for a
// downtime; it divides the hour and the day, so an hourly or daily interval ends on a step), and every simulated
// minute, as production's cron does, while a sweep ends with a full batch (work left over); each step runs every
// sweep, as one run of the cron job does. Between steps, the webhooks due are delivered at their own simulated times.
import { writeFileSync } from "node:fs";
import { createHmac, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { seededRandom } from "../scripts/seeded-random";
import { installSimulatedClock, moveClockTo, simNow } from "./sim-clock";

installSimulatedClock();

const { values: args } = parseArgs({
  options: {
    scenario: { type: "string" },
    population: { type: "string" },
    companies: { type: "string" },
    "emulator-url": { type: "string" },
    out: { type: "string" },
    start: { type: "string" },
    days: { type: "string", default: "30" },
    "step-minutes": { type: "string", default: "15" },
    seed: { type: "string", default: "16" },
    "active-share": { type: "string", default: "0.3" },
    "changes-per-active": { type: "string", default: "10" },
    "outage-start-hours": { type: "string", default: String(9 * 24 + 10) },
    "outage-hours": { type: "string", default: "6" },
    "outage-share": { type: "string", default: "0.1" },
    "webhook-retries": { type: "string", default: "dropped" },
  },
});

type Scenario = "normal" | "outage" | "legacy";
const SCENARIO = args.scenario as Scenario;
if (!["normal", "outage", "legacy"].includes(SCENARIO)) throw new Error("--scenario must be normal, outage or legacy");
const WEBHOOK_RETRIES = args["webhook-retries"] as "dropped" | "documented";
if (!["dropped", "documented"].includes(WEBHOOK_RETRIES)) throw new Error("--webhook-retries must be dropped or documented");
const POPULATION = Number(args.population);
const COMPANIES = Number(args.companies ?? args.population);
const EMULATOR = args["emulator-url"]!;
const START = Date.parse(args.start!);
const DAYS = Number(args.days);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEP_MS = Number(args["step-minutes"]) * MINUTE;
const END = START + DAYS * DAY;
const OUTAGE_START = START + Number(args["outage-start-hours"]) * HOUR;
const OUTAGE_END = OUTAGE_START + Number(args["outage-hours"]) * HOUR;
const appDownAt = (t: number) => SCENARIO === "outage" && t >= OUTAGE_START && t < OUTAGE_END;
if (!(COMPANIES >= 1 && COMPANIES <= POPULATION && POPULATION <= 20_000)) throw new Error("need 1 ≤ --companies ≤ --population ≤ 20,000");

// The product, after the clock: its modules read the time when called, and DATABASE_URL and the Intuit settings come
// from this process's environment (set by bench/idle-reads.ts).
const { db } = await import("../db");
const { quickbooksConnections, tenants } = await import("../db/schema");
const { tokenCipher } = await import("../lib/crypto/cipher");
const { connectionTokenBinding } = await import("../lib/crypto/token-binding");
const { env } = await import("../lib/env");
const { CATCH_UP_ENTITIES } = await import("../lib/quickbooks/catch-up-changes");
const { receiveWebhook } = await import("../lib/quickbooks/receive-webhook");
const { requestWebhookProcessing, webhookProcessingIdle } = await import("../lib/jobs/webhook-processing");
const { runTokenSweeps } = await import("../lib/jobs/queue");
const { DEFAULT_CATCH_UP_LIMIT } = await import("../lib/jobs/catch-up-sweep");
const { DEFAULT_REVERIFY_LIMIT } = await import("../lib/jobs/reverify-sweep");
const { LEGACY_LIMIT, runLegacySweeps } = await import("./legacy-schedule");
const { loadTestRealmId } = await import("../mocks/intuit/fixtures");

// ---------------------------------------------------------------------------------------------------------------
// The emulator, over HTTP.

async function emulator<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${EMULATOR}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${body === undefined ? "GET" : "POST"} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Moves this process's clock to `t` (never back) and the emulator's by the same amount. */
let emulatorLagMs = 0;
async function clockTo(t: number, syncEmulator = true): Promise<void> {
  emulatorLagMs += moveClockTo(t);
  if (syncEmulator && emulatorLagMs > 0) {
    await emulator("/__emulator/advance-time", { seconds: emulatorLagMs / 1000 });
    emulatorLagMs = 0;
  }
}

let maxSkewMs = 0;
async function checkEmulatorClock(): Promise<void> {
  const before = simNow();
  const { now } = await emulator<{ now: string }>("/__emulator/advance-time", { seconds: 0 });
  const after = simNow();
  const at = Date.parse(now);
  const skew = at < before ? before - at : at > after ? at - after : 0;
  maxSkewMs = Math.max(maxSkewMs, skew);
}

// ---------------------------------------------------------------------------------------------------------------
// The companies and the changes made in them: the same for every scenario (same seed, same population); a scenario
// with fewer companies takes the first ones.

interface Change {
  realmIndex: number;
  realmId: string;
  entity: string;
  id: string;
  operation: "Create" | "Update" | "Delete";
  at: number;
  /** Made while the outage scenario's app is down. */
  inOutageWindow: boolean;
}

function changeSchedule(): Change[] {
  const random = seededRandom(Number(args.seed));
  const entities = CATCH_UP_ENTITIES.filter((entity) => entity !== "Account");
  const perRealm = new Map<number, number>();
  const changes: Change[] = [];
  const add = (realmIndex: number, at: number) => {
    const n = (perRealm.get(realmIndex) ?? 0) + 1;
    perRealm.set(realmIndex, n);
    const roll = random();
    changes.push({
      realmIndex,
      realmId: loadTestRealmId(realmIndex),
      entity: entities[Math.floor(random() * entities.length)]!,
      // One object per change, so that change data capture reports each one (it reports an object's latest state).
      id: String(1000 + n),
      operation: roll < 0.05 ? "Delete" : roll < 0.35 ? "Create" : "Update",
      at: Math.floor(at),
      inOutageWindow: at >= OUTAGE_START && at < OUTAGE_END,
    });
  };
  const activeShare = Number(args["active-share"]);
  const mean = Number(args["changes-per-active"]);
  for (let i = 0; i < POPULATION; i++) {
    const active = random() < activeShare;
    const count = 1 + Math.floor(random() * (2 * mean - 1));
    for (let k = 0; k < count; k++) {
      const at = START + random() * DAYS * DAY;
      if (active) add(i, at);
    }
  }
  // QuickBooks users keep working while the app is down (in every scenario, so that only the outage differs).
  const burst = Math.round(POPULATION * Number(args["outage-share"]));
  for (let k = 0; k < burst; k++) add(Math.floor(random() * POPULATION), OUTAGE_START + random() * (OUTAGE_END - OUTAGE_START));
  return changes.filter((change) => change.realmIndex < COMPANIES && change.at < END).sort((a, b) => a.at - b.at || a.realmIndex - b.realmIndex);
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding: one tenant and one active production connection per company, as a connected, idle company stands the
// day the simulation starts: verified when it connected (5 to 60 days ago), caught up (and so proven) once in the last
// 24 hours, its access token expired an hour after that, nobody using it. Tokens are the emulator's, issued for each
// realm in one call (POST /__emulator/grants), sealed with the product's cipher and bound to their row.

interface BulkGrant {
  realmId: string;
  accessToken: string;
  refreshToken: string;
  refreshTokenExpiresIn: number;
  refreshTokenHardExpiresIn: number;
}

async function seed(): Promise<Map<string, string>> {
  const random = seededRandom(Number(args.seed) + 1);
  const realmIds = Array.from({ length: COMPANIES }, (_, i) => loadTestRealmId(i));
  const { grants } = await emulator<{ grants: BulkGrant[] }>("/__emulator/grants", { realmIds });
  const cipher = tokenCipher();
  const tenantOfRealm = new Map<string, string>();
  for (let from = 0; from < COMPANIES; from += 500) {
    const slice = grants.slice(from, from + 500);
    const created = await db()
      .insert(tenants)
      .values(slice.map((_, i) => ({ slug: `idle-${from + i}`, name: `Idle company ${from + i}` })))
      .returning({ id: tenants.id });
    await db()
      .insert(quickbooksConnections)
      .values(
        slice.map((grant, i) => {
          const tenantId = created[i]!.id;
          const id = randomUUID();
          tenantOfRealm.set(grant.realmId, tenantId);
          const caughtUp = START - random() * DAY;
          const connected = START - (5 + random() * 55) * DAY;
          return {
            id,
            tenantId,
            environment: env().intuit.environment,
            status: "active" as const,
            realmId: grant.realmId,
            companyName: `Load Test Company_${from + i}`,
            accessTokenEnc: cipher.encrypt(grant.accessToken, connectionTokenBinding({ tenantId, id }, "access_token_enc")),
            refreshTokenEnc: cipher.encrypt(grant.refreshToken, connectionTokenBinding({ tenantId, id }, "refresh_token_enc")),
            accessTokenExpiresAt: new Date(caughtUp + HOUR),
            refreshTokenExpiresAt: new Date(caughtUp + grant.refreshTokenExpiresIn * 1000),
            refreshTokenHardExpiresAt: new Date(START + grant.refreshTokenHardExpiresIn * 1000),
            authorizationStartedAt: new Date(connected),
            callbackAt: new Date(connected),
            connectedAt: new Date(connected),
            verifiedAt: new Date(connected),
            lastRefreshedAt: new Date(caughtUp),
            lastCatchUpAt: new Date(caughtUp),
            lastCatchUpTrigger: "floor",
            catchUpAttemptedAt: new Date(caughtUp),
            provenAt: new Date(caughtUp),
          };
        }),
      );
  }
  return tenantOfRealm;
}

// ---------------------------------------------------------------------------------------------------------------
// Intuit's side of the webhooks (intuit.md §6): each change is recorded in the emulator's change log (what CDC reports)
// and then delivered, signed with the verifier token, to the product's webhook use-case (what its route runs), a
// couple of seconds after it was made. While the app is down a delivery cannot be made: with --webhook-retries dropped
// (the default) it is lost, the worst case, which only the catch-up can make up for; with documented, Intuit retries
// after 10 s, 20 s, 30 s, 5 min, 20 min, 2 h, 4 h, 6 h and then every 6 h, and later deliveries wait behind it.

const DELIVERY_DELAY_MS = 2_000;
const RETRY_INTERVALS_MS = [10_000, 20_000, 30_000, 5 * MINUTE, 20 * MINUTE, 2 * HOUR, 4 * HOUR, 6 * HOUR];
const webhookStats = { delivered: 0, dropped: 0, failedAttempts: 0, accepted: 0, refused: 0, maxLateMs: 0 };

interface Delivery {
  change: Change;
  attemptAt: number;
  attempts: number;
}

const CLOUD_EVENT_OPERATION = { Create: "created", Update: "updated", Delete: "deleted" } as const;

async function deliver(change: Change): Promise<void> {
  const body = JSON.stringify([
    {
      specversion: "1.0",
      id: randomUUID(),
      source: "intuit.bench",
      type: `qbo.${change.entity.toLowerCase()}.${CLOUD_EVENT_OPERATION[change.operation]}.v1`,
      datacontenttype: "application/json",
      time: new Date(change.at).toISOString(),
      intuitentityid: change.id,
      intuitaccountid: change.realmId,
      data: {},
    },
  ]);
  const signature = createHmac("sha256", env().intuit.webhookVerifierToken!).update(body).digest("base64");
  const answer = await receiveWebhook({ body: new TextEncoder().encode(body), signature, contentType: "application/cloudevents+json", sourceIp: "127.0.0.1" });
  if (answer.status === 200) webhookStats.accepted += 1;
  else webhookStats.refused += 1;
}

const queue: Delivery[] = [];
let nextChange = 0;

/** Records the changes made up to `t` in the emulator and makes the deliveries due by then, in order. */
async function webhooksUpTo(t: number, changes: readonly Change[]): Promise<void> {
  for (; nextChange < changes.length && changes[nextChange]!.at <= t; nextChange++) {
    const change = changes[nextChange]!;
    await emulator("/__emulator/changes", { realmId: change.realmId, entity: change.entity, id: change.id, operation: change.operation, at: new Date(change.at).toISOString() });
    queue.push({ change, attemptAt: change.at + DELIVERY_DELAY_MS, attempts: 0 });
  }
  let delivered = false;
  while (queue.length > 0 && queue[0]!.attemptAt <= t) {
    const head = queue[0]!;
    await clockTo(head.attemptAt, false);
    if (appDownAt(head.attemptAt)) {
      webhookStats.failedAttempts += 1;
      if (WEBHOOK_RETRIES === "dropped") {
        webhookStats.dropped += 1;
        queue.shift();
        continue;
      }
      head.attemptAt += RETRY_INTERVALS_MS[Math.min(head.attempts, RETRY_INTERVALS_MS.length - 1)]!;
      head.attempts += 1;
      // Later deliveries wait until this one is acknowledged.
      for (const waiting of queue) waiting.attemptAt = Math.max(waiting.attemptAt, head.attemptAt);
      continue;
    }
    queue.shift();
    webhookStats.delivered += 1;
    webhookStats.maxLateMs = Math.max(webhookStats.maxLateMs, head.attemptAt - head.change.at);
    await deliver(head.change);
    delivered = true;
  }
  // The route starts a processing pass once it has answered (lib/jobs/webhook-processing.ts); one pass for the
  // deliveries of a step does the same work without the pause between passes it makes under a stream of deliveries.
  if (delivered) await requestWebhookProcessing();
  await webhookProcessingIdle();
}

// ---------------------------------------------------------------------------------------------------------------
// The run.

const wallStarted = performance.now();
await clockTo(START - HOUR);
await checkEmulatorClock();
const tenantOfRealm = await seed();
const changes = changeSchedule();
const seedSeconds = (performance.now() - wallStarted) / 1000;
console.log(`${SCENARIO}: seeded ${COMPANIES} companies in ${seedSeconds.toFixed(1)} s; ${changes.length} changes scheduled`);

const loop = { steps: 0, fastSteps: 0, skippedDown: 0, sweepSeconds: 0, maxStepSeconds: 0 };
let t = START;
let lastDay = -1;
while (t < END) {
  await webhooksUpTo(t, changes);
  let backlog = false;
  await clockTo(t);
  if (appDownAt(t)) {
    loop.skippedDown += 1;
  } else {
    const started = performance.now();
    if (SCENARIO === "legacy") {
      const report = await runLegacySweeps(new Date(t));
      backlog = report.catchUp.examined >= LEGACY_LIMIT || report.reverify.examined >= LEGACY_LIMIT;
    } else {
      const report = await runTokenSweeps({ now: new Date(t) });
      backlog = (report.catchUp?.examined ?? 0) >= DEFAULT_CATCH_UP_LIMIT || (report.reverify?.examined ?? 0) >= DEFAULT_REVERIFY_LIMIT;
    }
    const seconds = (performance.now() - started) / 1000;
    loop.steps += 1;
    loop.sweepSeconds += seconds;
    loop.maxStepSeconds = Math.max(loop.maxStepSeconds, seconds);
    if (backlog) loop.fastSteps += 1;
  }
  const day = Math.floor((t - START) / DAY);
  if (day !== lastDay) {
    lastDay = day;
    await checkEmulatorClock();
    if (day % 5 === 0) console.log(`${SCENARIO}: day ${day + 1}, ${((performance.now() - wallStarted) / 1000).toFixed(0)} s`);
  }
  // After minute steps, back onto the grid: every due time that is a whole number of steps from one lands on one.
  t = backlog ? t + MINUTE : START + (Math.floor((t - START) / STEP_MS) + 1) * STEP_MS;
}
await webhooksUpTo(END, changes);
await clockTo(END);
await checkEmulatorClock();
const wallSeconds = (performance.now() - wallStarted) / 1000;

// ---------------------------------------------------------------------------------------------------------------
// What was read, by the product's own meter and by the emulator's.

const rows = <T>(result: unknown) => ((result as { rows?: T[] }).rows ?? (result as T[])) as T[];
const usage = rows<{ cause: string; operation: string; category: string; environment: string; calls: number }>(
  await db().execute(sql`select cause, operation, category, environment::text as environment, sum(calls)::int as calls from intuit_usage_daily group by 1, 2, 3, 4 order by 5 desc`),
);
const coreplus = usage.filter((u) => u.category === "coreplus" && u.environment === "production").reduce((sum, u) => sum + u.calls, 0);
const perCompany = rows<{ calls: number }>(
  await db().execute(sql`
    select coalesce(u.calls, 0)::int as calls from quickbooks_connections c
    left join (select tenant_id, sum(calls) as calls from intuit_usage_daily where category = 'coreplus' and environment = 'production' group by tenant_id) u on u.tenant_id = c.tenant_id
    order by 1`),
).map((r) => r.calls);
const quantile = (q: number) => perCompany[Math.min(perCompany.length - 1, Math.floor(q * perCompany.length))] ?? 0;
const byDay = rows<{ day: string; calls: number }>(
  await db().execute(sql`select day::text as day, sum(calls)::int as calls from intuit_usage_daily where category = 'coreplus' group by 1 order by 1`),
);
const triggers = rows<{ trigger: string; count: number }>(
  await db().execute(sql`select outcome as trigger, sum(count)::int as count from qbo_health_hourly where metric = 'catch_up' group by 1 order by 2 desc`),
);
const apiOutcomes = rows<{ operation: string; outcome: string; calls: number }>(
  await db().execute(sql`select operation, outcome, count(*)::int as calls from qbo_api_calls group by 1, 2 order by 3 desc`),
);
const connectionStates = rows<{ status: string; n: number }>(await db().execute(sql`select status::text as status, count(*)::int as n from quickbooks_connections group by 1`));
const governor = rows<Record<string, unknown>>(await db().execute(sql`select app_key, level, factor, room, used, projected from background_governor`));
const quota = await emulator<{ clients: Record<string, { month: string; reads: number; blocked: number }> }>("/__emulator/monthly-quota");
const state = await emulator<{ calls: { api: number; tokenRefreshToken: number } }>("/__emulator/state");
const emulatorReads = Object.values(quota.clients).reduce((sum, c) => sum + c.reads, 0);

// Every change made in QuickBooks is in quickbooks_changes (the product's dedupe rule, catch-up-changes.ts
// isAlreadyKnown: the same object, the same kind, recorded at most a second before it or any time after).
const checked = JSON.stringify(changes.map((c, i) => ({ i, tenant_id: tenantOfRealm.get(c.realmId), entity: c.entity.toLowerCase(), entity_id: c.id, is_delete: c.operation === "Delete", at: new Date(c.at).toISOString() })));
const found = rows<{ i: number; source: string | null }>(
  await db().execute(sql`
    select x.i, (select q.source from quickbooks_changes q
                 where q.tenant_id = x.tenant_id::uuid and q.entity = x.entity and q.entity_id = x.entity_id
                   and (q.operation = 'delete') = x.is_delete and q.changed_at >= x.at - interval '1 second'
                 order by q.changed_at limit 1) as source
    from jsonb_to_recordset(${checked}::jsonb) as x(i int, tenant_id text, entity text, entity_id text, is_delete boolean, at timestamptz)`),
);
const sourceOf = new Map(found.map((r) => [r.i, r.source]));
const missing = changes.filter((_, i) => !sourceOf.get(i));
const outageChanges = changes.map((c, i) => ({ c, i })).filter(({ c }) => c.inOutageWindow);
const outageSources: Record<string, number> = {};
for (const { i } of outageChanges) outageSources[sourceOf.get(i) ?? "missing"] = (outageSources[sourceOf.get(i) ?? "missing"] ?? 0) + 1;

const result = {
  scenario: SCENARIO,
  companies: COMPANIES,
  days: DAYS,
  start: new Date(START).toISOString(),
  end: new Date(END).toISOString(),
  outage: SCENARIO === "outage" ? { start: new Date(OUTAGE_START).toISOString(), end: new Date(OUTAGE_END).toISOString(), webhookRetries: WEBHOOK_RETRIES } : null,
  wallSeconds,
  seedSeconds,
  loop: { ...loop, stepMinutes: STEP_MS / MINUTE },
  maxEmulatorClockSkewMs: maxSkewMs,
  reads: {
    coreplusProduction: coreplus,
    perCompany: coreplus / COMPANIES,
    perCompanyDistribution: { min: perCompany[0] ?? 0, p50: quantile(0.5), p95: quantile(0.95), max: perCompany[perCompany.length - 1] ?? 0 },
    emulator: emulatorReads,
    emulatorByClient: quota.clients,
    emulatorApiCalls: state.calls.api,
    emulatorTokenRefreshes: state.calls.tokenRefreshToken,
  },
  usageByCauseAndOperation: usage,
  usageByDay: byDay,
  catchUpTriggers: triggers,
  apiCallOutcomes: apiOutcomes,
  connectionStates,
  governor,
  changes: {
    made: changes.length,
    missing: missing.length,
    missingExamples: missing.slice(0, 5).map((c) => ({ realmId: c.realmId, entity: c.entity, id: c.id, operation: c.operation, at: new Date(c.at).toISOString() })),
    inOutageWindow: outageChanges.length,
    inOutageWindowBySource: outageSources,
  },
  webhooks: webhookStats,
};
writeFileSync(args.out!, `${JSON.stringify(result, null, 2)}\n`);
console.log(`${SCENARIO}: ${coreplus} CorePlus reads (emulator ${emulatorReads}) for ${COMPANIES} companies = ${(coreplus / COMPANIES).toFixed(2)} per company; ${missing.length} of ${changes.length} changes missing; ${wallSeconds.toFixed(0)} s`);
process.exit(0);
