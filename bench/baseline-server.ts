// The webhook benchmark's baseline: a bare node:http server doing the app's per-delivery work without the framework.
// Raw body (1 MB cap), the same HMAC-SHA256 check in constant time and the same parser as the app
// (lib/intuit/webhook-signature.ts, lib/intuit/webhook-payload.ts), then ONE statement per request: the delivery's
// events into webhook_events, the realm → tenant lookup joined in, `ON CONFLICT (event_key) DO NOTHING`.
// No delivery log row, no transaction, no processing afterwards: the floor the app's figure is compared with.
// Env: DATABASE_URL, INTUIT_WEBHOOK_VERIFIER_TOKEN, PORT (0: any); prints "BASELINE_LISTENING <port>" when ready.
import http from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { readWebhookPayload, WebhookPayloadError, type WebhookEvent } from "@/lib/intuit/webhook-payload";
import { verifyWebhookSignature } from "@/lib/intuit/webhook-signature";

const BODY_LIMIT = 1024 * 1024;
const databaseUrl = process.env.DATABASE_URL;
const verifierToken = process.env.INTUIT_WEBHOOK_VERIFIER_TOKEN;
if (!databaseUrl || !verifierToken) {
  console.error("baseline-server: DATABASE_URL and INTUIT_WEBHOOK_VERIFIER_TOKEN are required");
  process.exit(2);
}
// The app's pool size (db/client.ts).
const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });
let deliveryId = 0;

function insertEvents(events: WebhookEvent[], receivedAt: Date) {
  const id = ++deliveryId;
  const col = <T>(f: (e: WebhookEvent) => T) => events.map(f);
  return sql`
    insert into webhook_events (event_key, delivery_id, realm_id, tenant_id, entity, entity_id, operation, occurred_at, received_at, delay_ms, status)
    select e.key, ${id}, e.realm, c.tenant_id, e.entity, e.entity_id, e.op, e.occurred, ${receivedAt}, e.delay,
           (case when c.tenant_id is null then 'ignored' else 'pending' end)::webhook_event_status
    from unnest(
      ${sql.array(col((e) => e.key))}::text[], ${sql.array(col((e) => e.realmId))}::text[],
      ${sql.array(col((e) => e.entity))}::text[], ${sql.array(col((e) => e.entityId))}::text[],
      ${sql.array(col((e) => e.operation))}::text[],
      ${sql.array(col((e) => e.occurredAt?.toISOString() ?? null))}::timestamptz[],
      ${sql.array(col((e) => (e.occurredAt ? String(Math.max(0, receivedAt.getTime() - e.occurredAt.getTime())) : null)))}::int[]
    ) as e(key, realm, entity, entity_id, op, occurred, delay)
    left join quickbooks_connections c
      on c.realm_id = e.realm and c.status not in ('disconnected', 'not_connected', 'authorizing')
    on conflict (event_key) do nothing
    returning id`;
}

function answer(res: http.ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/api/quickbooks/webhooks") return answer(res, 404, { error: { code: "not_found" } });
  const receivedAt = new Date();
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.byteLength;
    if (size > BODY_LIMIT) {
      answer(res, 413, { error: { code: "payload_too_large" } });
      req.destroy();
    } else chunks.push(chunk);
  });
  req.on("end", () => {
    if (size > BODY_LIMIT) return;
    const body = Buffer.concat(chunks, size);
    const signature = req.headers["intuit-signature"];
    if (typeof signature !== "string" || !verifyWebhookSignature(body, signature, verifierToken)) return answer(res, 401, { error: { code: "invalid_signature" } });
    if (!/json/i.test(req.headers["content-type"] ?? "")) return answer(res, 415, { error: { code: "unsupported_media_type" } });
    let events: WebhookEvent[];
    try {
      events = readWebhookPayload(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body))).events;
    } catch (error) {
      return answer(res, 400, { error: { code: "malformed_payload", message: error instanceof WebhookPayloadError ? error.message : "not JSON" } });
    }
    if (events.length === 0) return answer(res, 200, { received: 0, stored: 0 });
    insertEvents(events, receivedAt).then(
      (rows) => answer(res, 200, { received: events.length, stored: rows.length }),
      (error: unknown) => {
        console.error(`baseline-server: insert failed: ${error instanceof Error ? error.message : String(error)}`);
        answer(res, 500, { error: { code: "internal_error" } });
      },
    );
  });
});
// Node's defaults, as under `next start`.
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`BASELINE_LISTENING ${(server.address() as AddressInfo).port}`);
});
const stop = () => {
  server.close();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
