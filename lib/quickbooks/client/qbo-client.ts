import "server-only";
import { meterCategoryOf, type IntuitOperation, type ReadCause } from "@/lib/intuit/operations";
import type { QboCallInput } from "@/lib/intuit/qbo-request";
import { IntuitApiError } from "@/lib/intuit/faults";
import { DEFAULT_TIMEOUT_MS } from "@/lib/intuit/http";
import type { RealmLimits } from "@/lib/intuit/limits";
import type { IntuitEnvironment } from "@/lib/env";
import { recordApiCall, recordThrottleHit, type ApiCallMeter } from "@/lib/metrics/record";
import { intuitAppKeyOf } from "@/lib/usage/app-key";
import { readsBlockedFor } from "@/lib/usage/reads-blocked";
import { recordReadsBlocked } from "@/lib/usage/record-reads-blocked";
import { describeError } from "@/lib/describe-error";
import { READ_QUOTA_USED_UP } from "../rules/intuit-failures";
import { callWithAccessToken } from "./access-token";
import { intuitAppFor, type IntuitApp } from "./intuit-app";
import { acquireRealmPermit, realmKeyOf } from "./realm-limiter";

// The one way to call the QuickBooks Accounting API for a tenant. Around an endpoint function of lib/intuit
// (company-info.ts, change-data-capture.ts, account-query.ts) it adds: a usable access token (renewed when needed,
// one forced renewal on a 401), a permit from the realm limiter shared by all instances, bounded retries of
// throttling and passing failures, and a stored record of every attempt (outcome, latency, intuit_tid) for the health
// dashboard, with its metered usage (the Intuit app, Core or CorePlus, the cause) in the same statement. While Intuit
// blocks the app's reads for the month (its quota is used up), a read fails at once with that reason and is not sent.

export interface QuickBooksCaller {
  tenantId: string;
  /** What caused the call: metered reads are counted by cause (the usage page, the governor). */
  cause: ReadCause;
  /** The connection to use; the tenant's chosen environment by default. */
  environment?: IntuitEnvironment;
  /** The tenant's Intuit app, when the caller has resolved it already. */
  app?: IntuitApp;
  actorUserId?: string | null;
  /** A scheduled job rather than a person: see getUsableAccessToken. Background calls may wait longer for a slot. */
  background?: boolean;
  /** Per-attempt time limit. Default 10 s. */
  timeoutMs?: number;
  /** The limits to keep; Intuit's by default (tests scale the window down). */
  limits?: RealmLimits;
  /** Longest wait for a free slot before failing with a throttled error. */
  maxWaitMs?: number;
  /** Whether a timeout or 5xx may be retried: true for reads, which every call so far is. */
  idempotent?: boolean;
}

/** Retries after Intuit answered 429. */
export const THROTTLE_RETRIES = 4;
/** Retries after a 5xx, a timeout or a network failure (idempotent calls only). */
export const TRANSIENT_RETRIES = 2;
export const INTERACTIVE_MAX_WAIT_MS = 20_000;
export const BACKGROUND_MAX_WAIT_MS = 120_000;

/**
 * How long to wait before attempt `attempt + 1` after `error`, or null to give up. Intuit's Retry-After wins when it
 * sent one; otherwise exponential backoff with jitter, so instances that were throttled together spread out.
 */
export function retryDelayMs(error: IntuitApiError, attempt: number, idempotent: boolean, random = Math.random): number | null {
  // quota_exhausted is never retried: Intuit's monthly block lasts until the month turns.
  if (error.kind === "throttled") {
    // Our own limiter already waited as long as the caller allowed.
    if (error.code === "local_limit" || attempt > THROTTLE_RETRIES) return null;
    return error.retryAfterMs ?? Math.min(1_000 * 2 ** (attempt - 1), 30_000) * (0.5 + random() / 2);
  }
  if (idempotent && (error.kind === "server" || error.kind === "timeout" || error.kind === "network") && attempt <= TRANSIENT_RETRIES) {
    return 300 * 2 ** (attempt - 1) * (0.5 + random() / 2);
  }
  return null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one Accounting API call for the tenant's connection, e.g.
 * `callQuickBooks({ tenantId }, "companyinfo", (input) => getCompanyInfo(input))`.
 * Throws IntuitApiError (typed by kind) when Intuit refuses or cannot be reached within the retries.
 */
export async function callQuickBooks<T extends { intuitTid: string | null }>(
  caller: QuickBooksCaller,
  operation: IntuitOperation,
  request: (input: QboCallInput) => Promise<T>,
): Promise<T & { realmId: string }> {
  const app = caller.app ?? (await intuitAppFor(caller.tenantId, caller.environment));
  // Before the token: a blocked read needs no renewal either.
  await refuseBlockedRead(caller.tenantId, app, operation);
  const tokenOptions = { tenantId: caller.tenantId, app, actorUserId: caller.actorUserId ?? null, background: caller.background ?? false };
  return callWithAccessToken(tokenOptions, (token) => attemptCall({ caller: { ...caller, app }, token, operation, request }));
}

/**
 * The same call with a token the caller holds rather than the stored one: the callback proves that the tokens it has
 * just received open the company its query string claims, before anything is stored. No renewal on a 401: a token
 * that has just been issued and is refused says the company is not the grant's.
 */
export async function callWithToken<T extends { intuitTid: string | null }>(
  caller: QuickBooksCaller & { app: IntuitApp },
  token: { accessToken: string; realmId: string },
  operation: IntuitOperation,
  request: (input: QboCallInput) => Promise<T>,
): Promise<T & { realmId: string }> {
  await refuseBlockedRead(caller.tenantId, caller.app, operation);
  return attemptCall({ caller, token, operation, request });
}

/** The Intuit app whose quota an attempt spends, its cause and category; null without an app (no quota to count against). */
function meterOf(caller: QuickBooksCaller & { app: IntuitApp }, operation: IntuitOperation): ApiCallMeter | null {
  const appKey = intuitAppKeyOf(caller.app.credentialsSource, caller.tenantId);
  return appKey === null ? null : { appKey, cause: caller.cause, category: meterCategoryOf(operation) };
}

/**
 * A CorePlus read while Intuit blocks the app's reads for the month fails at once, with the reason and when reads
 * resume, instead of being sent to be refused (a person's action, a sync run, and a safety net for background work,
 * whose sweeps do not select a blocked app's connections at all). Core calls (writes) go through.
 */
async function refuseBlockedRead(tenantId: string, app: IntuitApp, operation: IntuitOperation): Promise<void> {
  const appKey = intuitAppKeyOf(app.credentialsSource, tenantId);
  if (appKey === null || meterCategoryOf(operation) !== "coreplus") return;
  const until = await readsBlockedFor(appKey, new Date());
  if (until === null) return;
  throw new IntuitApiError({ kind: "quota_exhausted", status: null, code: "reads_blocked", message: READ_QUOTA_USED_UP, detail: null, faultType: null, intuitTid: null, resumesAt: until });
}

/**
 * Intuit refused a read with its monthly block: the block is recorded on the app's plan (once), and the error says
 * when reads resume. A failure to record it must not hide Intuit's answer: it is logged and the answer raised as is.
 */
async function readsBlocked(caller: QuickBooksCaller & { app: IntuitApp }, failure: IntuitApiError, meter: ApiCallMeter | null): Promise<IntuitApiError> {
  if (!meter) return failure;
  try {
    const resumesAt = await recordReadsBlocked({ appKey: meter.appKey, tenantId: caller.tenantId, environment: caller.app.environment, at: new Date(), intuitTid: failure.intuitTid });
    const { kind, status, code, message, detail, faultType, intuitTid } = failure;
    return new IntuitApiError({ kind, status, code, message, detail, faultType, intuitTid, resumesAt, cause: failure });
  } catch (error) {
    console.warn(`[usage] could not record Intuit's monthly read block: ${describeError(error)}`);
    return failure;
  }
}

/** The attempts of one call with a token in hand: limiter permit, request, record, retry. */
async function attemptCall<T extends { intuitTid: string | null }>({
  caller,
  token,
  operation,
  request,
}: {
  caller: QuickBooksCaller & { app: IntuitApp };
  token: { accessToken: string; realmId: string };
  operation: IntuitOperation;
  request: (input: QboCallInput) => Promise<T>;
}): Promise<T & { realmId: string }> {
  const { app } = caller;
  const meter = meterOf(caller, operation);
  const timeoutMs = caller.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const idempotent = caller.idempotent ?? true;
  const record = { tenantId: caller.tenantId, environment: app.environment, realmId: token.realmId, operation };
  const maxWaitMs = caller.maxWaitMs ?? (caller.background ? BACKGROUND_MAX_WAIT_MS : INTERACTIVE_MAX_WAIT_MS);
  for (let attempt = 1; ; attempt++) {
    const permit = await acquireRealmPermit(realmKeyOf(app.environment, token.realmId), { limits: caller.limits, leaseMs: timeoutMs + 5_000, maxWaitMs }).catch(async (error: unknown) => {
      if (error instanceof IntuitApiError) {
        await recordThrottleHit({ tenantId: caller.tenantId, source: "local", waitedMs: maxWaitMs });
        // Refused by our own limiter: it never left the process, so Intuit counted nothing.
        await recordApiCall({ ...record, outcome: "throttled", httpStatus: null, latencyMs: 0, intuitTid: null, errorCode: error.code, errorMessage: error.message, meter: null });
      }
      throw error;
    });
    if (permit.waitedMs > 0) await recordThrottleHit({ tenantId: caller.tenantId, source: "local", waitedMs: permit.waitedMs });

    const started = performance.now();
    let failure: IntuitApiError;
    try {
      const result = await request({ apiBaseUrl: app.apiBaseUrl, realmId: token.realmId, accessToken: token.accessToken, timeoutMs });
      await permit.release();
      await recordApiCall({ ...record, outcome: "success", httpStatus: 200, latencyMs: performance.now() - started, intuitTid: result.intuitTid, errorCode: null, errorMessage: null, meter });
      return { ...result, realmId: token.realmId };
    } catch (error) {
      await permit.release();
      if (!(error instanceof IntuitApiError)) throw error;
      failure = error;
    }
    const latencyMs = performance.now() - started;
    // Sent, so metered whatever the answer: Intuit counts the request, not its outcome (a timeout may have reached it too).
    await recordApiCall({ ...record, outcome: failure.kind, httpStatus: failure.status, latencyMs, intuitTid: failure.intuitTid, errorCode: failure.code, errorMessage: failure.message, meter });
    if (failure.kind === "quota_exhausted") throw await readsBlocked(caller, failure, meter);
    const delay = retryDelayMs(failure, attempt, idempotent);
    if (failure.kind === "throttled") await recordThrottleHit({ tenantId: caller.tenantId, source: "intuit", waitedMs: delay ?? 0 });
    if (delay === null) throw failure;
    await sleep(delay);
  }
}
