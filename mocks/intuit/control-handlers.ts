// Test control over HTTP, so browser tests can drive the standalone emulator. Not part of Intuit.
//
//   POST /__emulator/reset                     forget codes, tokens, faults, counters, clock offset and monthly quotas; default limits;
//                                              the fixtures' charts of accounts and journals (every entry posted is gone)
//   POST /__emulator/faults                    body = EmulatorFault, e.g. {"target":"token","error":"invalid_grant"}
//   POST /__emulator/revoke-grant              {"realmId":"9341452000000001"}: disconnect made inside QuickBooks
//   POST /__emulator/advance-time              {"seconds":3601}: move the emulator's clock (expire access tokens)
//   POST /__emulator/first-authorized          {"realmId","at"} (ISO date or epoch ms): move the 5-year cap
//   POST /__emulator/rotation-grace            {"seconds":86400} or {"seconds":null}: how long a rotated refresh token still
//                                              works (jsclient's README says 24 h); null, the default: refused at once
//   POST /__emulator/refresh-token-ttl         {"seconds":5} or {"seconds":null}: lifetime of refresh tokens issued next
//   POST /__emulator/send-webhook              {"targetUrl","realmId","format"?}: sign and POST one change event to the app,
//                                              as Intuit would; answers with the app's status and body. The change
//                                              (Customer 1, Update) is also recorded in the change log, so CDC reports it
//   POST /__emulator/changes                   {"realmId","entity","id","operation","at"?}: a change made in QuickBooks
//                                              without a webhook (a delivery missed during downtime); CDC reports it.
//                                              operation: Create, Update, Delete, Merge, Void or Emailed (any case);
//                                              at: ISO date-time or epoch ms, default the emulator's clock
//   POST /__emulator/accounts                  {"realmId","id","balance"?,"active"?,"name"?,"acctNum"?}: change an account as a
//                                              QuickBooks user would; SyncToken + 1, LastUpdatedTime = the emulator's clock,
//                                              and an Account Update that CDC reports. balance (number or "1234.56", natural
//                                              sign; an income or expense account's fiscal year to date) is not stored as
//                                              such: the difference is posted as an adjusting journal entry dated today
//                                              against Opening Balance Equity, which CDC reports as a JournalEntry Create.
//                                              acctNum: the account number (null or "" removes it). 404 for an unknown
//                                              account; answers {"ok":true,"account":<Intuit's JSON>}
//   POST /__emulator/accounts/create           {"realmId","name","accountType","accountSubType"?,"balance"?,"active"?,"id"?,
//                                              "parentId"?,"acctNum"?}: a new account (next free Id unless given); CDC reports
//                                              a Create; a balance is its opening balance, a journal entry as above.
//                                              201 {"ok":true,"account"}
//   GET  /__emulator/accounts?realmId=…        {"accounts":[…]}: the realm's whole chart, inactive accounts included
//   POST /__emulator/journal                   {"realmId","date":"YYYY-MM-DD","lines":[{"accountId","debit"|"credit",
//                                              "description"?}, …],"memo"?,"docNumber"?}: a journal entry entered in
//                                              QuickBooks now, dated `date` (past or future). Debits must equal credits; each
//                                              line names an active account of the company and exactly one of debit and
//                                              credit (a positive number or "1234.56"). Balances as of `date` on change
//                                              (CurrentBalance only once `date` is today or past); CDC reports a JournalEntry
//                                              Create at the emulator's clock; the accounts themselves are not edited (no new
//                                              SyncToken, no Account in CDC). 201 {"ok":true,"entry":<Intuit's JournalEntry>};
//                                              400 for an entry QuickBooks would refuse, 404 for an unknown company
//   GET  /__emulator/journal?realmId=…         {"today","entries":[…]}: the realm's journal as Intuit's JournalEntry JSON,
//                                              the fixtures' restated books first (opening balances the day before the fiscal
//                                              year, the year to date on its first day), then what was posted, in order;
//                                              today is the company's date on the emulator's clock
//   GET  /__emulator/state                     counters, active tokens (previews only), pending faults, clock, and
//                                              refreshTokenReuses: refresh requests with an already rotated token
//   GET  /__emulator/tokens                    the active token values themselves, so tests can search for leaks
//   POST /__emulator/grants                    {"realmIds":[…] (1 to 20,000, distinct),"scope"?:[…]}: one live grant per realm
//                                              without the consent screen, as if each company had connected (load tests);
//                                              201 {"ok":true,"grants":[{realmId,grantId,accessToken,refreshToken,expiresIn,
//                                              refreshTokenExpiresIn,refreshTokenHardExpiresIn}]}, in the order given
//   GET  /__emulator/grants                    {"grants","refreshes","refreshedGrants","grantsRefreshedMoreThanOnce",
//                                              "maxRefreshesPerGrant","refreshTokenReuses"} since the last reset: proof
//                                              that no grant was renewed twice
//   POST /__emulator/limits                    {"requestsPerWindow"?,"windowMs"?,"concurrent"?,"retryAfterSeconds"?}: the
//                                              per-realm API limits until the next reset (unknown fields are refused);
//                                              retryAfterSeconds: a Retry-After header on 429s (null: none, the default)
//   GET  /__emulator/limits                    {"limits","realms":{[realmId]:{requests,accepted,throttled,maxInWindow,
//                                              maxConcurrent}}}: maxima count accepted requests only
//   POST /__emulator/monthly-quota             {"clientId","quota"} (quota: an integer ≥ 0, or null for none, the default):
//                                              the workspace's monthly quota of CorePlus reads until the next reset; past it
//                                              reads get the monthly block's 429 until the emulator's month turns
//   GET  /__emulator/monthly-quota             {"clients":{[clientId]:{month,reads,blocked,quota}}}: this month's counts
//
// Each answers JSON; a bad body gets 400 {"error":"invalid_request","issues":[…]}.

import { createHmac } from "node:crypto";
import type { HttpHandler } from "msw";
import { z } from "zod";
import { AccountChangeError } from "./accounts";
import { JournalError } from "./journal";
import { PATHS, route, type EmulatorContext } from "./context";
import { CHANGE_OPERATIONS, canonicalCdcEntity } from "./change-log";
import { jsonResponse } from "./intuit-responses";
import { monthlyQuotaSchema } from "./monthly-quota";
import { limitsPatchSchema } from "./realm-limits";
import type { EmulatorState } from "./emulator-state";

const faultSchema = z.object({
  target: z.enum(["token", "revoke", "api", "discovery"]),
  status: z.number().int().min(100).max(599).optional(),
  body: z.unknown().optional(),
  contentType: z.string().optional(),
  delayMs: z.number().int().min(0).max(120_000).optional(),
  answerDelayMs: z.number().int().min(0).max(120_000).optional(),
  times: z.number().int().min(1).optional(),
  error: z.string().min(1).optional(),
});

const realmSchema = z.object({ realmId: z.string().min(1) });
const sendWebhookSchema = z.object({
  // Only to a local app: the emulator never sends traffic elsewhere.
  targetUrl: z.url().refine((u) => ["localhost", "127.0.0.1"].includes(new URL(u).hostname), "targetUrl must be on localhost"),
  realmId: z.string().min(1),
  format: z.enum(["cloudevents", "legacy"]).default("cloudevents"),
});
const changeSchema = z.object({
  realmId: z.string().min(1),
  entity: z.string().min(1).refine((name) => canonicalCdcEntity(name) !== undefined, "entity must be one that change data capture supports"),
  id: z.string().min(1).max(100),
  operation: z.string().refine((op) => CHANGE_OPERATIONS.some((known) => known.toLowerCase() === op.toLowerCase()), `operation must be one of ${CHANGE_OPERATIONS.join(", ")}`),
  at: z.union([z.number(), z.iso.datetime({ offset: true })]).optional(),
});
const amountSchema = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d{1,2})?$/, "balance must be a decimal with at most two places")]);
const acctNumSchema = z.string().max(20).nullable();
const accountPatchSchema = z.strictObject({
  realmId: z.string().min(1),
  id: z.string().min(1),
  balance: amountSchema.optional(),
  active: z.boolean().optional(),
  name: z.string().min(1).max(100).optional(),
  acctNum: acctNumSchema.optional(),
});
const newAccountSchema = z.strictObject({
  realmId: z.string().min(1),
  name: z.string().min(1).max(100),
  accountType: z.string().min(1),
  accountSubType: z.string().min(1).optional(),
  balance: amountSchema.optional(),
  active: z.boolean().optional(),
  id: z.string().regex(/^\d+$/, "id must be digits, as QuickBooks' are").optional(),
  parentId: z.string().min(1).optional(),
  acctNum: acctNumSchema.optional(),
});
const journalLineSchema = z.strictObject({
  accountId: z.string().min(1),
  debit: amountSchema.optional(),
  credit: amountSchema.optional(),
  description: z.string().max(4000).optional(),
});
const journalSchema = z.strictObject({
  realmId: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date must be written YYYY-MM-DD"),
  lines: z.array(journalLineSchema).min(2).max(1000),
  memo: z.string().max(4000).optional(),
  docNumber: z.string().min(1).max(21).optional(),
});
// 20,000: twice the renewal benchmark's 10,000 connections, small enough that one answer stays a few MB.
const MAX_BULK_GRANTS = 20_000;
const bulkGrantsSchema = z.strictObject({
  realmIds: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(MAX_BULK_GRANTS)
    .refine((ids) => new Set(ids).size === ids.length, "realmIds must be distinct"),
  scope: z.array(z.string().min(1)).min(1).optional(),
});
const ttlSchema = z.object({ seconds: z.number().int().positive().nullable() });
const advanceSchema = z.object({ seconds: z.number().finite() });
const firstAuthorizedSchema = z.object({ realmId: z.string().min(1), at: z.union([z.number(), z.iso.datetime({ offset: true })]) });

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

function invalid(error: z.ZodError): Response {
  return jsonResponse({ error: "invalid_request", issues: error.issues.map((issue) => issue.message) }, 400);
}

/** Runs an account change and answers the account as Intuit now returns it, or the reason it was refused. */
function accountChange(state: EmulatorState, realmId: string, change: () => { id: string }, status: number): Response {
  try {
    const { id } = change();
    return jsonResponse({ ok: true, account: state.account(realmId, id) }, status);
  } catch (error) {
    if (error instanceof AccountChangeError) return jsonResponse({ error: error.status === 404 ? "not_found" : "invalid_request", issues: [error.message] }, error.status);
    throw error;
  }
}

export function controlHandlers(ctx: EmulatorContext, state: EmulatorState): HttpHandler[] {
  const base = PATHS.control;
  const untraced = { traced: false } as const;
  return [
    route(ctx, "post", `${base}/reset`, untraced, async () => {
      state.reset();
      return jsonResponse({ ok: true });
    }),
    route(ctx, "post", `${base}/faults`, untraced, async (request) => {
      const parsed = faultSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      state.injectFault(parsed.data);
      return jsonResponse({ ok: true, pendingFaults: state.pendingFaults() }, 201);
    }),
    route(ctx, "post", `${base}/revoke-grant`, untraced, async (request) => {
      const parsed = realmSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      return jsonResponse({ ok: true, revokedTokens: state.revokeGrant(parsed.data.realmId) });
    }),
    route(ctx, "post", `${base}/advance-time`, untraced, async (request) => {
      const parsed = advanceSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      state.advanceTime(parsed.data.seconds);
      return jsonResponse({ ok: true, now: state.now().toISOString() });
    }),
    route(ctx, "post", `${base}/first-authorized`, untraced, async (request) => {
      const parsed = firstAuthorizedSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      const at = typeof parsed.data.at === "number" ? parsed.data.at : Date.parse(parsed.data.at);
      state.setRealmFirstAuthorizedAt(parsed.data.realmId, at);
      return jsonResponse({ ok: true });
    }),
    route(ctx, "post", `${base}/rotation-grace`, untraced, async (request) => {
      const parsed = ttlSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      state.setRotationGrace(parsed.data.seconds);
      return jsonResponse({ ok: true });
    }),
    route(ctx, "post", `${base}/refresh-token-ttl`, untraced, async (request) => {
      const parsed = ttlSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      state.setRefreshTokenTtl(parsed.data.seconds);
      return jsonResponse({ ok: true });
    }),
    route(ctx, "post", `${base}/send-webhook`, untraced, async (request) => {
      const parsed = sendWebhookSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      const { targetUrl, realmId, format } = parsed.data;
      const now = new Date().toISOString();
      const id = crypto.randomUUID();
      // Intuit records the change before it notifies: CDC must report what the webhook announced.
      state.recordChange(realmId, { entity: "Customer", id: "1", operation: "Update", at: Date.parse(now) });
      const body =
        format === "cloudevents"
          ? JSON.stringify([{ specversion: "1.0", id, source: "intuit.emulator", type: "qbo.customer.updated.v1", datacontenttype: "application/json", time: now, intuitentityid: "1", intuitaccountid: realmId, data: {} }])
          : JSON.stringify({ eventNotifications: [{ realmId, dataChangeEvent: { entities: [{ name: "Customer", id: "1", operation: "Update", lastUpdated: now }] } }] });
      const signature = createHmac("sha256", ctx.webhookVerifierToken).update(body).digest("base64");
      const answer = await fetch(targetUrl, {
        method: "POST",
        headers: { "content-type": format === "cloudevents" ? "application/cloudevents+json" : "application/json", "intuit-signature": signature },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      return jsonResponse({ ok: answer.ok, status: answer.status, eventId: id, answer: await answer.text() });
    }),
    route(ctx, "post", `${base}/changes`, untraced, async (request) => {
      const parsed = changeSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      const { realmId, at, ...change } = parsed.data;
      const recorded = state.recordChange(realmId, { ...change, at: typeof at === "string" ? Date.parse(at) : at });
      return jsonResponse({ ok: true, change: { ...recorded, at: new Date(recorded.at).toISOString() } }, 201);
    }),
    route(ctx, "post", `${base}/accounts`, untraced, async (request) => {
      const parsed = accountPatchSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      const { realmId, id, ...patch } = parsed.data;
      return accountChange(state, realmId, () => state.updateAccount(realmId, id, patch), 200);
    }),
    route(ctx, "post", `${base}/accounts/create`, untraced, async (request) => {
      const parsed = newAccountSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      const { realmId, ...account } = parsed.data;
      return accountChange(state, realmId, () => state.addAccount(realmId, account), 201);
    }),
    route(ctx, "get", `${base}/accounts`, untraced, async (request) => {
      const realmId = new URL(request.url).searchParams.get("realmId");
      if (!realmId) return jsonResponse({ error: "invalid_request", issues: ["realmId is required"] }, 400);
      return jsonResponse({ accounts: state.accounts(realmId) });
    }),
    route(ctx, "post", `${base}/journal`, untraced, async (request) => {
      const parsed = journalSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      const { realmId, ...entry } = parsed.data;
      try {
        const posted = state.postJournalEntry(realmId, entry);
        return jsonResponse({ ok: true, entry: state.journalRecords(realmId).find((record) => record.Id === posted.id) }, 201);
      } catch (error) {
        if (error instanceof JournalError) return jsonResponse({ error: error.status === 404 ? "not_found" : "invalid_request", issues: [error.message] }, error.status);
        throw error;
      }
    }),
    route(ctx, "get", `${base}/journal`, untraced, async (request) => {
      const realmId = new URL(request.url).searchParams.get("realmId");
      if (!realmId) return jsonResponse({ error: "invalid_request", issues: ["realmId is required"] }, 400);
      return jsonResponse({ today: state.today(), entries: state.journalRecords(realmId) });
    }),
    route(ctx, "post", `${base}/limits`, untraced, async (request) => {
      const parsed = limitsPatchSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      return jsonResponse({ ok: true, limits: state.setLimits(parsed.data) });
    }),
    route(ctx, "get", `${base}/limits`, untraced, async () => jsonResponse({ limits: state.limits(), realms: state.limitStats() })),
    route(ctx, "post", `${base}/monthly-quota`, untraced, async (request) => {
      const parsed = monthlyQuotaSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      return jsonResponse({ ok: true, client: state.setMonthlyQuota(parsed.data.clientId, parsed.data.quota) });
    }),
    route(ctx, "get", `${base}/monthly-quota`, untraced, async () => jsonResponse({ clients: state.monthlyQuotaStats() })),
    route(ctx, "post", `${base}/grants`, untraced, async (request) => {
      const parsed = bulkGrantsSchema.safeParse(await readJson(request));
      if (!parsed.success) return invalid(parsed.error);
      const issued = state.createGrants(parsed.data.realmIds, { scope: parsed.data.scope });
      const grants = issued.map((issue) => ({
        realmId: issue.realmId,
        grantId: issue.grantId,
        accessToken: issue.accessToken,
        refreshToken: issue.refreshToken,
        expiresIn: issue.accessExpiresInSeconds,
        refreshTokenExpiresIn: issue.refreshExpiresInSeconds,
        refreshTokenHardExpiresIn: issue.hardExpiresInSeconds,
      }));
      return jsonResponse({ ok: true, grants }, 201);
    }),
    route(ctx, "get", `${base}/grants`, untraced, async () => jsonResponse(state.grantRefreshStats())),
    route(ctx, "get", `${base}/state`, untraced, async () => jsonResponse(state.snapshot())),
    route(ctx, "get", `${base}/tokens`, untraced, async () =>
      jsonResponse({ tokens: state.activeTokens().map((t) => ({ kind: t.kind, realmId: t.realmId, token: t.token })) }),
    ),
  ];
}
