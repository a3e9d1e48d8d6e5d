import "server-only";
import { sql } from "drizzle-orm";
import { preparedStatement } from "@/db/prepared";
import { isDatabaseUnavailable } from "@/db/unavailable";
import { createWriteBatcher } from "@/lib/batching/write-batcher";
import { env } from "@/lib/env";
import { readWebhookPayload, WebhookPayloadError, type WebhookEvent } from "@/lib/intuit/webhook-payload";
import { verifyWebhookSignature } from "@/lib/intuit/webhook-signature";
import { recordRejectedDelivery, type RejectedDelivery } from "./store/webhook-deliveries";

/** Intuit's deliveries hold at most 100 events; 1 MB leaves room and stops abuse. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/** The largest delay the `integer` delay columns hold (2^31 − 1 ms). */
const MAX_STORED_DELAY_MS = 2_147_483_647;

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
export async function receiveWebhook(input: {
  body: Uint8Array;
  signature: string | null;
  contentType: string | null;
  receivedAt?: Date;
  /** The sender's address: refusals are folded by it (store/webhook-deliveries.ts). */
  sourceIp?: string | null;
}): Promise<WebhookAnswer> {
  const receivedAt = input.receivedAt ?? new Date();
  const logRejected = (row: Pick<RejectedDelivery, "status" | "httpStatus" | "signature" | "error">) =>
    recordRejectedDelivery({ ...row, bodyBytes: input.body.byteLength, receivedAt, contentType: input.contentType, sourceIp: input.sourceIp ?? null });

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

  const stored = await storeDelivery({ format: payload.format, events: payload.events, contentType: input.contentType, bodyBytes: input.body.byteLength, receivedAt });
  return { status: 200, body: { received: payload.events.length, stored }, enqueued: stored > 0 };
}

interface AcceptedDelivery {
  format: string;
  events: WebhookEvent[];
  contentType: string | null;
  bodyBytes: number;
  receivedAt: Date;
}

/** The statement storeDeliveries runs (described there). */
const insertDeliveries = preparedStatement<{ ord: number; new_event_count: number }, "deliveries" | "events" | "environment">(
  (p) => sql`
    with dv as (
      select * from jsonb_to_recordset(${p.deliveries}::jsonb)
        as dv(ord int, format text, content_type text, body_bytes int, event_count int, max_delay_ms int, received_at timestamptz)
    ),
    d as (select ord, nextval(pg_get_serial_sequence('webhook_deliveries', 'id')) as id from dv),
    x as (
      select * from jsonb_to_recordset(${p.events}::jsonb)
        as x(ord int, event_key text, realm_id text, entity text, entity_id text, operation text, occurred_at timestamptz, delay_ms integer)
    ),
    h as (
      select distinct on (realm_id) realm_id, tenant_id from quickbooks_connections
      where environment = ${p.environment}::intuit_environment
        and realm_id in (select realm_id from x) and status not in ('disconnected', 'not_connected', 'authorizing')
    ),
    e as (
      insert into webhook_events (event_key, delivery_id, realm_id, environment, tenant_id, entity, entity_id, operation, occurred_at, received_at, delay_ms, status)
      select x.event_key, d.id, x.realm_id, ${p.environment}::intuit_environment, h.tenant_id, x.entity, x.entity_id, x.operation, x.occurred_at, dv.received_at, x.delay_ms,
             (case when h.tenant_id is null then 'ignored' else 'pending' end)::webhook_event_status
      from x join d on d.ord = x.ord join dv on dv.ord = x.ord left join h on h.realm_id = x.realm_id
      order by x.ord
      on conflict (event_key) do nothing
      returning delivery_id
    ),
    w as (
      insert into webhook_deliveries
        (id, received_at, status, http_status, signature, format, content_type, body_bytes, event_count, new_event_count, realm_ids, tenant_ids, max_delay_ms)
      overriding system value
      select d.id, dv.received_at, 'accepted', 200, 'valid', dv.format, dv.content_type, dv.body_bytes, dv.event_count,
             (select count(*) from e where e.delivery_id = d.id)::int,
             coalesce((select array_agg(distinct x.realm_id) from x where x.ord = d.ord), '{}'::text[]),
             coalesce((select array_agg(distinct h.tenant_id) from x join h on h.realm_id = x.realm_id where x.ord = d.ord), '{}'::uuid[]),
             dv.max_delay_ms
      from dv join d on d.ord = dv.ord
      returning id, new_event_count
    )
    select d.ord, w.new_event_count from w join d on d.id = w.id`,
);

/**
 * Stores accepted deliveries and their events in ONE statement, however many there are (one round trip, atomic
 * without a transaction): the realm → tenant lookup is joined in, the events go in with ON CONFLICT (event_key) DO
 * NOTHING (in delivery order, so of two deliveries in one batch holding the same event, the first one stores it),
 * and each delivery row is written last with the number of its events that were new. Answers that number for each
 * delivery, in order.
 */
export async function storeDeliveries(deliveries: AcceptedDelivery[]): Promise<number[]> {
  const deliveryRows = deliveries.map((d, ord) => {
    // Clamped to the integer columns (about 24.8 days): an event Intuit delivers weeks late (its retries go on every
    // 6 h) would otherwise fail the whole insert, answer 500 for ever, and hold back every later delivery.
    const delays = d.events.map((e) => (e.occurredAt ? Math.min(MAX_STORED_DELAY_MS, Math.max(0, d.receivedAt.getTime() - e.occurredAt.getTime())) : null));
    const known = delays.filter((delay): delay is number => delay !== null);
    return {
      row: { ord, format: d.format, content_type: d.contentType?.slice(0, 100) ?? null, body_bytes: d.bodyBytes, event_count: d.events.length, max_delay_ms: known.length ? Math.max(...known) : null, received_at: d.receivedAt.toISOString() },
      events: d.events.map((e, i) => ({ ord, event_key: e.key, realm_id: e.realmId, entity: e.entity, entity_id: e.entityId, operation: e.operation, occurred_at: e.occurredAt?.toISOString() ?? null, delay_ms: delays[i] })),
    };
  });
  const rows = await insertDeliveries({
    deliveries: JSON.stringify(deliveryRows.map((d) => d.row)),
    events: JSON.stringify(deliveryRows.flatMap((d) => d.events)),
    // The verifier token that signed them is the platform's Intuit app's, of the platform's environment: its realms
    // are that environment's (a sandbox company and a production one may have the same id).
    environment: env().intuit.environment,
  });
  const counts = new Array<number>(deliveries.length).fill(0);
  for (const row of rows) counts[Number(row.ord)] = Number(row.new_event_count);
  return counts;
}

/**
 * Deliveries arrive by the hundred at once (Intuit retries, bursts of changes): concurrent requests' deliveries are
 * stored together, up to 100 in one statement, 4 statements at a time (of the pool's 10 connections). A delivery the
 * database refuses is stored again on its own, so it fails only its own request; an outage fails them all at once.
 */
const storeDelivery = createWriteBatcher<AcceptedDelivery, number>({ write: storeDeliveries, maxItems: 100, maxInFlight: 4, isFatal: isDatabaseUnavailable });
