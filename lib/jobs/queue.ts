import "server-only";
import PgBoss from "pg-boss";
import { databaseHandle } from "@/db";
import { env } from "@/lib/env";
import { runPendingSyncs } from "@/lib/ledger/run-pending-syncs";
import { governBackgroundReads, GOVERN_EVERY_MS } from "@/lib/usage/govern-background-reads";
import { evaluateUsageAlerts, USAGE_ALERTS_EVERY_MS, type UsageAlertsResult } from "@/lib/usage/evaluate-usage-alerts";
import { noteSweepHeartbeat } from "./catch-up-evidence";
import { runCatchUpSweep, type CatchUpSweepResult } from "./catch-up-sweep";
import { runRetentionSweep, type RetentionResult } from "./retention-sweep";
import { runRenewalSweep, type RenewalSweepOptions, type RenewalSweepResult } from "./renewal-sweep";
import { runReverifySweep, type ReverifySweepResult } from "./reverify-sweep";
import { processPendingWebhookEvents } from "@/lib/quickbooks/process-webhook-events";
import { runRevocationRetrySweep, type RevocationSweepResult } from "./revocation-retry-sweep";
import { claimMark } from "./store/sweep-marks";
import { describeError } from "@/lib/describe-error";
import { HARD_EXPIRY_CHECK_EVERY_MS, warnHardExpiry } from "@/lib/notifications/warn-hard-expiry";

/**
 * The background job runner, the one place that knows how jobs are scheduled:
 *
 * - PostgreSQL: pg-boss (its tables live in the `pgboss` schema, created by pg-boss itself at first start). A cron
 *   schedule sends one "token-renewal-sweep" job a minute for the whole cluster: pg-boss's cron monitor lets one
 *   instance per minute send it, and the queue's "stately" policy holds at most one job queued and one running, so
 *   instances never run two sweeps at once and a slow sweep never piles up a backlog. Any instance's worker may run it.
 * - PGlite (one process by design): an in-process timer, unref'd, every minute, never overlapping itself.
 *
 * Token renewal at scale: the sweep renews what is due in claimed batches (renewal-sweep.ts). When more is due than
 * one batch, it also sends "token-renewal" helper jobs, which every instance works: all instances then renew side by
 * side, each claiming its own batches, until nothing due is left. The queue keeps at most one helper job waiting per
 * slot, so a backlog that outlasts a minute never piles jobs up. The sweep job itself renews for a short budget only,
 * so that the other sweeps below are not held up by a large backlog; the helpers carry on.
 *
 * Even if two sweeps did overlap, each connection would be renewed once: see renewal-sweep.ts (row lock + due re-check).
 * The same job first beats the heartbeat (a gap since the last run means the app was down: every connection is then
 * caught up, catch-up-evidence.ts), then retries unconfirmed revocations, processes the webhook events due for a retry
 * (the webhook queue's state lives in `webhook_events`), lets the governor decide how far background reads are
 * stretched (every 10 minutes, lib/usage/govern-background-reads.ts) and raises the usage alerts due (every 10 minutes,
 * lib/usage/evaluate-usage-alerts.ts), catches up through Intuit's change data capture
 * the connections with evidence of missed webhooks or a day since their last catch-up (catch-up-sweep.ts), re-verifies
 * connections nothing has proven for a day (reverify-sweep.ts), so that "verified recently" stays true for tenants
 * nobody looks at, and deletes health metrics and realm-limiter permits, and every log table's rows, past their
 * retention (retention-sweep.ts). Metered reads (catch-up, re-verify) come after the webhooks, so a catch-up finds
 * what they recorded, and the catch-up before the re-verify, so its successful call spares the connection a Verify.
 */

export const TOKEN_SWEEP_QUEUE = "token-renewal-sweep";
export const TOKEN_RENEWAL_QUEUE = "token-renewal";
export const SWEEP_INTERVAL_MS = 60_000;
/** A sweep that runs longer than this is considered stuck by pg-boss (and the next one may start). */
const SWEEP_EXPIRE_SECONDS = 15 * 60;
/** The scheduled sweep's own share of a renewal backlog: the helpers take the rest. */
const SWEEP_RENEWAL_BUDGET_MS = 30_000;
/**
 * Helper jobs sent for a backlog: each instance works one at a time, so this many lets up to this many instances
 * join at once (more join on the next minute's sweep). Surplus ones find nothing left and end at once.
 */
export const RENEWAL_HELPER_JOBS = 4;
/** A helper renews for DEFAULT_RENEWAL_BUDGET_MS at most; well before this, pg-boss would take it for stuck. */
const HELPER_EXPIRE_SECONDS = 10 * 60;

export interface SweepReport {
  /** Minutes since the previous run, and the connections a gap asked to catch up. */
  heartbeat: Awaited<ReturnType<typeof noteSweepHeartbeat>> | null;
  renewal: RenewalSweepResult | null;
  revocations: RevocationSweepResult | null;
  reverify: ReverifySweepResult | null;
  /** Apps the governor decided for in this run (every 10 minutes), or null. */
  governor: Awaited<ReturnType<typeof governBackgroundReads>> | null;
  /** The usage alerts raised in this run (every 10 minutes: 50, 80, 95, 100 % of each app's quota), or null. */
  usageAlerts: UsageAlertsResult | null;
  /** Five-year expiry warnings (30 and 7 days) newly emitted in this run (every hour), or null. */
  hardExpiryWarnings: number | null;
  catchUp: CatchUpSweepResult | null;
  webhooks: Awaited<ReturnType<typeof processPendingWebhookEvents>> | null;
  retention: RetentionResult | null;
  /** Sync runs taken up: queued ones, and ones a dead process left running. */
  syncs: number | null;
}

export type BackgroundJobsKind = "pg-boss" | "timer";

interface Runner {
  kind: BackgroundJobsKind;
  /** Asks for a sweep as soon as possible (pg-boss: a job, dropped if one is already waiting; timer: a run now). */
  requestSweep(): Promise<void>;
  stop(): Promise<void>;
}

// One runner per process, on globalThis like the database handle: Next.js may load this module more than once.
const globalForJobs = globalThis as unknown as { __qbcBackgroundJobs?: Promise<Runner> };

function logError(context: string, error: unknown): void {
  // The message only: never a stack with request data, never a token (none of our messages carry one).
  console.error(`Background jobs: ${context}: ${describeError(error)}`);
}

/**
 * The sweeps, each on its own: one failing does not stop the others. The heartbeat comes first (it dates this run);
 * the re-verify runs after the renewal, so that it finds tokens the renewal has just made fresh, and after the
 * catch-up (see above).
 */
export async function runTokenSweeps(options: { now?: Date; renewal?: Pick<RenewalSweepOptions, "budgetMs" | "onBacklog"> } = {}): Promise<SweepReport> {
  const report: SweepReport = { heartbeat: null, renewal: null, revocations: null, reverify: null, governor: null, usageAlerts: null, hardExpiryWarnings: null, catchUp: null, webhooks: null, retention: null, syncs: null };
  const step = async <K extends keyof SweepReport>(key: K, what: string, run: () => Promise<SweepReport[K]>) => {
    try {
      report[key] = await run();
    } catch (error) {
      logError(what, error);
    }
  };
  const now = options.now ?? new Date();
  await step("heartbeat", "heartbeat", () => noteSweepHeartbeat(now));
  await step("renewal", "token renewal sweep", () => runRenewalSweep({ now: options.now, ...options.renewal }));
  await step("revocations", "revocation retry sweep", () => runRevocationRetrySweep({ now: options.now }));
  // Webhook events due for a retry, or left pending by an instance that died after answering Intuit.
  await step("webhooks", "webhook processing", () => processPendingWebhookEvents({ now: options.now }));
  await step("governor", "background-read governor", async () => ((await claimMark("governor", now, GOVERN_EVERY_MS)) ? governBackgroundReads(now) : null));
  await step("usageAlerts", "usage alerts", async () => ((await claimMark("usage_alerts", now, USAGE_ALERTS_EVERY_MS)) ? evaluateUsageAlerts(now) : null));
  await step("hardExpiryWarnings", "hard-expiry warnings", async () => ((await claimMark("hard_expiry_warnings", now, HARD_EXPIRY_CHECK_EVERY_MS)) ? warnHardExpiry(now) : null));
  await step("catchUp", "CDC catch-up sweep", () => runCatchUpSweep({ now: options.now }));
  await step("reverify", "re-verify sweep", () => runReverifySweep({ now: options.now }));
  await step("retention", "retention sweep", () => runRetentionSweep({ now: options.now }));
  await step("syncs", "sync runs", () => runPendingSyncs(options.now));
  return report;
}

/** Starts the runner for this process's database; a second call returns the same runner. */
export async function startBackgroundJobs(options: { intervalMs?: number } = {}): Promise<{ kind: BackgroundJobsKind }> {
  globalForJobs.__qbcBackgroundJobs ??= startRunner(options).catch((error: unknown) => {
    globalForJobs.__qbcBackgroundJobs = undefined;
    throw error;
  });
  const runner = await globalForJobs.__qbcBackgroundJobs;
  return { kind: runner.kind };
}

/** Stops the runner, letting a sweep in progress finish. Safe to call when nothing runs. */
export async function stopBackgroundJobs(): Promise<void> {
  const starting = globalForJobs.__qbcBackgroundJobs;
  globalForJobs.__qbcBackgroundJobs = undefined;
  const runner = await starting?.catch(() => null);
  await runner?.stop();
}

/** Asks the running runner for a sweep now (tests, or an operator). Returns false when no runner is started. */
export async function requestSweepNow(): Promise<boolean> {
  const runner = await globalForJobs.__qbcBackgroundJobs?.catch(() => null);
  if (!runner) return false;
  await runner.requestSweep();
  return true;
}

export async function backgroundJobsKind(): Promise<BackgroundJobsKind | null> {
  const runner = await globalForJobs.__qbcBackgroundJobs?.catch(() => null);
  return runner?.kind ?? null;
}

function startRunner(options: { intervalMs?: number }): Promise<Runner> {
  return databaseHandle().kind === "postgres" ? startPgBoss() : Promise.resolve(startTimer(options.intervalMs ?? SWEEP_INTERVAL_MS));
}

// ---------------------------------------------------------------- PostgreSQL: pg-boss

/** PostgreSQL's "deadlock detected": the transaction was chosen as the victim and rolled back; trying again is safe. */
function isDeadlock(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "40P01";
}

/**
 * Instances started at the same moment on a database pg-boss has not set up yet create its tables and queues at
 * once; pg-boss's createQueue takes no lock of its own, and PostgreSQL may end one of them with a deadlock (seen with
 * two instances starting together). The victim's work was rolled back, so it starts over, a moment later.
 */
async function startPgBoss(): Promise<Runner> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPgBossOnce();
    } catch (error) {
      if (attempt >= 3 || !isDeadlock(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 800));
    }
  }
}

async function startPgBossOnce(): Promise<Runner> {
  const connectionString = env().databaseUrl;
  if (!connectionString) throw new Error("pg-boss needs DATABASE_URL");
  const boss = new PgBoss({
    connectionString,
    application_name: "qbc-jobs",
    // pg-boss keeps its own small pool, apart from the app's.
    max: 3,
    // Finished sweeps are history, not data: keep an hour in the job table, a day in the archive.
    archiveCompletedAfterSeconds: 60 * 60,
    deleteAfterDays: 1,
  });
  // pg-boss reports errors as events (an EventEmitter without a listener would throw them); log the message only.
  boss.on("error", (error) => logError("pg-boss", error));
  try {
    await boss.start();
    await boss.createQueue(TOKEN_SWEEP_QUEUE, {
      name: TOKEN_SWEEP_QUEUE,
      policy: "stately",
      // A failed sweep is not retried: the next minute's sweep does the same work.
      retryLimit: 0,
      expireInSeconds: SWEEP_EXPIRE_SECONDS,
    });
    await boss.createQueue(TOKEN_RENEWAL_QUEUE, {
      name: TOKEN_RENEWAL_QUEUE,
      // "short": at most one job waiting per singleton key (one key per helper slot), any number running.
      policy: "short",
      retryLimit: 0,
      expireInSeconds: HELPER_EXPIRE_SECONDS,
    });
    await boss.schedule(TOKEN_SWEEP_QUEUE, "* * * * *", {}, { retryLimit: 0, expireInSeconds: SWEEP_EXPIRE_SECONDS });
    const askForHelp = async () => {
      await Promise.all(
        Array.from({ length: RENEWAL_HELPER_JOBS }, (_, slot) =>
          boss.send(TOKEN_RENEWAL_QUEUE, {}, { singletonKey: `slot-${slot}`, retryLimit: 0, expireInSeconds: HELPER_EXPIRE_SECONDS }),
        ),
      );
    };
    await boss.work(TOKEN_SWEEP_QUEUE, { batchSize: 1, pollingIntervalSeconds: 2 }, async () =>
      runTokenSweeps({ renewal: { budgetMs: SWEEP_RENEWAL_BUDGET_MS, onBacklog: askForHelp } }),
    );
    // Polled every second: a helper is asked for when thousands are due, and every second of delay is a second less
    // of the access tokens' hour.
    await boss.work(TOKEN_RENEWAL_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async () => runRenewalSweep());
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw error;
  }
  return {
    kind: "pg-boss",
    async requestSweep() {
      await boss.send(TOKEN_SWEEP_QUEUE, {}, { retryLimit: 0, expireInSeconds: SWEEP_EXPIRE_SECONDS });
    },
    async stop() {
      // Stops fetching, waits for a running sweep (up to the timeout), then closes pg-boss's pool.
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}

// ---------------------------------------------------------------- PGlite: an in-process timer

function startTimer(intervalMs: number): Runner {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): Promise<void> => {
    // Never overlapping itself: a tick during a sweep waits for that sweep instead of starting another.
    if (stopped) return Promise.resolve();
    running ??= runTokenSweeps()
      .then(() => undefined)
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), intervalMs);
  // Never the reason the process stays alive.
  timer.unref();
  return {
    kind: "timer",
    requestSweep: tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
