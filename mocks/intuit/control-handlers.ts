// Test control over HTTP, so browser tests can drive the standalone emulator. Not part of Intuit.
//
//   POST /__emulator/reset                     forget codes, tokens, faults, counters and clock offset
//   POST /__emulator/faults                    body = EmulatorFault, e.g. {"target":"token","error":"invalid_grant"}
//   POST /__emulator/revoke-grant              {"realmId":"9341452000000001"}: disconnect made inside QuickBooks
//   POST /__emulator/advance-time              {"seconds":3601}: move the emulator's clock (expire access tokens)
//   POST /__emulator/first-authorized          {"realmId","at"} (ISO date or epoch ms): move the 5-year cap
//   POST /__emulator/refresh-token-ttl         {"seconds":5} or {"seconds":null}: lifetime of refresh tokens issued next
//   POST /__emulator/send-webhook              {"targetUrl","realmId","format"?}: sign and POST one change event to the app,
//                                              as Intuit would; answers with the app's status and body. The change
//                                              (Customer 1, Update) is also recorded in the change log, so CDC reports it
//   POST /__emulator/changes                   {"realmId","entity","id","operation","at"?}: a change made in QuickBooks
//                                              without a webhook (a delivery missed during downtime); CDC reports it.
//                                              operation: Create, Update, Delete, Merge, Void or Emailed (any case);
//                                              at: ISO date-time or epoch ms, default the emulator's clock
//   GET  /__emulator/state                     counters, active tokens (previews only), pending faults, clock
//   GET  /__emulator/tokens                    the active token values themselves, so tests can search for leaks
//
// Each answers JSON; a bad body gets 400 {"error":"invalid_request","issues":[…]}.

import { createHmac } from "node:crypto";
import type { HttpHandler } from "msw";
import { z } from "zod";
import { canonicalCdcEntity } from "./cdc";
import { PATHS, route, type EmulatorContext } from "./context";
import { CHANGE_OPERATIONS } from "./emulator-state";
import { jsonResponse } from "./intuit-responses";
import type { EmulatorState } from "./handlers";

const faultSchema = z.object({
  target: z.enum(["token", "revoke", "api", "discovery"]),
  status: z.number().int().min(100).max(599).optional(),
  body: z.unknown().optional(),
  contentType: z.string().optional(),
  delayMs: z.number().int().min(0).max(120_000).optional(),
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
    route(ctx, "get", `${base}/state`, untraced, async () => jsonResponse(state.snapshot())),
    route(ctx, "get", `${base}/tokens`, untraced, async () =>
      jsonResponse({ tokens: state.activeTokens().map((t) => ({ kind: t.kind, realmId: t.realmId, token: t.token })) }),
    ),
  ];
}
