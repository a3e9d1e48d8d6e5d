import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { webhookDeliveries } from "@/db/schema";
import { env } from "@/lib/env";
import { readWebhookPayload, WebhookPayloadError, type WebhookEvent } from "@/lib/intuit/webhook-payload";
import { verifyWebhookSignature } from "@/lib/intuit/webhook-signature";

/** Intuit's deliveries hold at most 100 events; 1 MB leaves room and stops abuse. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

type DeliveryRow = typeof webhookDeliveries.$inferInsert;

export interface WebhookAnswer {
  status: number;
  body: { received: number; stored: number } | { error: { code: string; message: string } };
  /** Whether accepted events wait for processing (the route starts it after answering). */
  enqueued: boolean;
}

const refuse = (status: number, code: string, message: string): WebhookAnswer => ({ status, body: { error: { code, message } }, enqueued: false });

/**
 * Receives one webhook delivery: checks the signature over the raw bytes before anything is parsed, then stores
 * each event once. Processing happens later (processPendingWebhookEvents), never before the answer, so Intuit gets
 * its 200 well within 3 seconds and a processing failure can never turn into a non-200 answer.
 */
export async function receiveWebhook(input: { body: Uint8Array; signature: string | null; contentType: string | null; receivedAt?: Date }): Promise<WebhookAnswer> {
  const receivedAt = input.receivedAt ?? new Date();
  const logRejected = (row: Omit<DeliveryRow, "bodyBytes" | "receivedAt" | "contentType">) =>
    db()
      .insert(webhookDeliveries)
      .values({ ...row, bodyBytes: input.body.byteLength, receivedAt, contentType: input.contentType?.slice(0, 100) ?? null });

  const verifierToken = env().intuit.webhookVerifierToken;
  if (!verifierToken) {
    await logRejected({ status: "not_configured", httpStatus: 503, signature: "not_checked", error: "INTUIT_WEBHOOK_VERIFIER_TOKEN is not set" });
    return refuse(503, "webhooks_not_configured", "Webhooks are not configured: set INTUIT_WEBHOOK_VERIFIER_TOKEN to the verifier token from Intuit's developer portal.");
  }
  if (!input.signature || !verifyWebhookSignature(input.body, input.signature, verifierToken)) {
    await logRejected({ status: "rejected_signature", httpStatus: 401, signature: input.signature ? "invalid" : "missing" });
    return refuse(401, "invalid_signature", "The intuit-signature header is missing or does not match the body.");
  }
  if (!/json/i.test(input.contentType ?? "")) {
    await logRejected({ status: "unsupported_media_type", httpStatus: 415, signature: "valid", error: `content type ${input.contentType ?? "none"}` });
    return refuse(415, "unsupported_media_type", "Webhook bodies must be application/json or application/cloudevents+json.");
  }

  let payload: ReturnType<typeof readWebhookPayload>;
  try {
    payload = readWebhookPayload(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input.body)));
  } catch (error) {
    const message = error instanceof WebhookPayloadError ? error.message : "The body is not valid JSON.";
    await logRejected({ status: "malformed", httpStatus: 400, signature: "valid", error: message.slice(0, 300) });
    return refuse(400, "malformed_payload", message);
  }

  const stored = await storeDelivery(payload.format, payload.events, input, receivedAt);
  return { status: 200, body: { received: payload.events.length, stored }, enqueued: stored > 0 };
}

/**
 * Stores the delivery and its events in ONE statement (one round trip, atomic without a transaction): the realm →
 * tenant lookup is joined in, the events go in with ON CONFLICT (event_key) DO NOTHING, and the delivery row is
 * written last with the number of events that were new.
 */
async function storeDelivery(format: string, events: WebhookEvent[], input: { body: Uint8Array; contentType: string | null }, receivedAt: Date): Promise<number> {
  const delayOf = (e: WebhookEvent) => (e.occurredAt ? Math.max(0, receivedAt.getTime() - e.occurredAt.getTime()) : null);
  const delays = events.map(delayOf).filter((d): d is number => d !== null);
  const rows = events.map((e) => ({
    event_key: e.key,
    realm_id: e.realmId,
    entity: e.entity,
    entity_id: e.entityId,
    operation: e.operation,
    occurred_at: e.occurredAt?.toISOString() ?? null,
    delay_ms: delayOf(e),
  }));
  const result = await db().execute<{ new_event_count: number }>(sql`
    with d as (select nextval(pg_get_serial_sequence('webhook_deliveries', 'id')) as id),
    x as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(event_key text, realm_id text, entity text, entity_id text, operation text, occurred_at timestamptz, delay_ms integer)
    ),
    h as (
      select distinct on (realm_id) realm_id, tenant_id from quickbooks_connections
      where realm_id in (select realm_id from x) and status not in ('disconnected', 'not_connected', 'authorizing')
    ),
    e as (
      insert into webhook_events (event_key, delivery_id, realm_id, tenant_id, entity, entity_id, operation, occurred_at, received_at, delay_ms, status)
      select x.event_key, d.id, x.realm_id, h.tenant_id, x.entity, x.entity_id, x.operation, x.occurred_at, ${receivedAt.toISOString()}::timestamptz, x.delay_ms,
             (case when h.tenant_id is null then 'ignored' else 'pending' end)::webhook_event_status
      from x cross join d left join h on h.realm_id = x.realm_id
      on conflict (event_key) do nothing
      returning 1
    )
    insert into webhook_deliveries
      (id, received_at, status, http_status, signature, format, content_type, body_bytes, event_count, new_event_count, realm_ids, tenant_ids, max_delay_ms)
    overriding system value
    select d.id, ${receivedAt.toISOString()}::timestamptz, 'accepted', 200, 'valid', ${format}, ${input.contentType?.slice(0, 100) ?? null}, ${input.body.byteLength},
           ${events.length}, (select count(*) from e)::int,
           coalesce((select array_agg(distinct realm_id) from x), '{}'::text[]), coalesce((select array_agg(distinct tenant_id) from h), '{}'::uuid[]),
           ${delays.length ? Math.max(...delays) : null}::integer
    from d
    returning new_event_count`);
  // postgres.js answers an array of rows, PGlite { rows }.
  const [row] = (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as Array<{ new_event_count: number }>;
  return Number(row?.new_event_count ?? 0);
}
