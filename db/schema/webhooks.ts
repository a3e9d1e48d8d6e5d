import { sql } from "drizzle-orm";
import { bigint, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./identity";
import { intuitEnvironmentEnum } from "./quickbooks";

export const deliveryStatusEnum = pgEnum("webhook_delivery_status", [
  "accepted",
  "rejected_signature",
  "malformed",
  "too_large",
  "unsupported_media_type",
  "not_configured",
]);

/** Every POST to the webhook endpoint, accepted or not. A rejected delivery stores nothing else (no body). */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    status: deliveryStatusEnum("status").notNull(),
    httpStatus: integer("http_status").notNull(),
    // "valid", "invalid", "missing" or "not_checked"
    signature: text("signature").notNull(),
    format: text("format"),
    contentType: text("content_type"),
    bodyBytes: integer("body_bytes").notNull(),
    eventCount: integer("event_count").notNull().default(0),
    newEventCount: integer("new_event_count").notNull().default(0),
    realmIds: text("realm_ids").array().notNull().default(sql`'{}'::text[]`),
    tenantIds: uuid("tenant_ids").array().notNull().default(sql`'{}'::uuid[]`),
    /** Longest delay between an event's own time and its receipt, in milliseconds. */
    maxDelayMs: integer("max_delay_ms"),
    error: text("error"),
    // A rejected delivery's repeats, folded (lib/logs/repeat-fold.ts); accepted deliveries never fold (fold_key null).
    sourceIp: text("source_ip"),
    repeatCount: integer("repeat_count").notNull().default(1),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
    foldKey: text("fold_key"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_fold_uq").on(t.foldKey).where(sql`${t.foldKey} is not null`),
    index("webhook_deliveries_received_idx").on(t.receivedAt.desc()),
    index("webhook_deliveries_tenants_idx").using("gin", t.tenantIds),
    // The status counts signature failures over 24 hours on every poll: a short range of a small index, not a scan
    // of every delivery of the day.
    index("webhook_deliveries_signature_failures_idx").on(t.receivedAt).where(sql`${t.status} = 'rejected_signature'`),
  ],
);

export const webhookEventStatusEnum = pgEnum("webhook_event_status", ["pending", "processed", "ignored", "dead"]);

/**
 * Each change event, stored once (unique key) however often Intuit delivers it. Also the processing queue's state:
 * pending with attempts and a next attempt time, processed, ignored (unknown or disconnected realm), or dead.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    eventKey: text("event_key").notNull(),
    deliveryId: bigint("delivery_id", { mode: "number" }).notNull(),
    realmId: text("realm_id").notNull(),
    // The environment the event was routed in (the platform's Intuit app's, whose verifier token signed it): with the
    // realm, which company it is; sandbox and production realm ids are separate namespaces.
    environment: intuitEnvironmentEnum("environment"),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "set null" }),
    entity: text("entity").notNull(),
    entityId: text("entity_id").notNull(),
    operation: text("operation").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    delayMs: integer("delay_ms"),
    status: webhookEventStatusEnum("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("webhook_events_key_uq").on(t.eventKey),
    index("webhook_events_pending_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // delay_ms in the key: the status's 24-hour delay percentiles read the index only, not one heap page per event;
    // nullsFirst() so that `order by received_at desc` can use it (drizzle-kit's bare desc() is DESC NULLS LAST).
    index("webhook_events_tenant_received_idx").on(t.tenantId, t.receivedAt.desc().nullsFirst(), t.delayMs),
    // The status counts a tenant's dead events on every poll; there are few, and a tenant has many processed ones.
    index("webhook_events_tenant_dead_idx").on(t.tenantId).where(sql`${t.status} = 'dead'`),
    // The retention sweep's range over settled events. Partial, so that storing a delivery's pending events (the
    // ingestion hot path) writes no entry here: an event enters it when processing settles it (an update that
    // already rewrites the row's index entries, since the status is in the other partial indexes' predicates).
    index("webhook_events_settled_received_idx").on(t.receivedAt).where(sql`${t.status} <> 'pending'`),
  ],
);

/** The changed entities per tenant, ready for sync: what webhook processing and the CDC catch-up produce. */
export const quickbooksChanges = pgTable(
  "quickbooks_changes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    realmId: text("realm_id").notNull(),
    entity: text("entity").notNull(),
    entityId: text("entity_id").notNull(),
    operation: text("operation").notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull(),
    source: text("source").notNull(), // "webhook" or "cdc"
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A change is of one company: the environment and the realm are part of what makes it the same change.
    uniqueIndex("quickbooks_changes_uq").on(t.tenantId, t.environment, t.realmId, t.entity, t.entityId, t.operation, t.changedAt),
    index("quickbooks_changes_tenant_idx").on(t.tenantId, t.changedAt.desc()),
    // The retention sweep's range (lib/jobs/retention-sweep.ts).
    index("quickbooks_changes_recorded_idx").on(t.recordedAt),
  ],
);
