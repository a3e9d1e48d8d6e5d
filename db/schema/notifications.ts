import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { tenants, users } from "./identity";

// Notifications (issue 18): the outbox of events (lib/notifications/events.ts), written in the transaction of the
// change that causes each one; the deliveries fanned out from it (an email per recipient, a POST per endpoint), each
// sent and retried by the notification sender; the attempts of each delivery; the inbox's read marks; the email
// preferences; and the tenants' outbound webhook endpoints.

/** The outbox: one row per event, committed with its cause or not at all. */
export const notificationEvents = pgTable(
  "notification_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    version: integer("version").notNull(),
    /** A state the event reports (e.g. one expiry warning per connection and threshold): a second one is not emitted. */
    dedupeKey: text("dedupe_key"),
    data: jsonb("data").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    /** When its deliveries were fanned out; null: waiting for the sender. */
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true }),
  },
  (t) => [
    index("notification_events_tenant_idx").on(t.tenantId, t.occurredAt.desc()),
    index("notification_events_undispatched_idx").on(t.id).where(sql`${t.dispatchedAt} is null`),
    // The retention sweep's range over dispatched events (lib/jobs/retention-sweep.ts).
    index("notification_events_dispatched_idx").on(t.occurredAt).where(sql`${t.dispatchedAt} is not null`),
    uniqueIndex("notification_events_dedupe_uq").on(t.tenantId, t.type, t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
  ],
);

/** Where an outbound webhook endpoint of a tenant's AWRA systems listens, and what it wants. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description"),
    /** Event types it receives; empty: every type. */
    eventTypes: text("event_types").array().notNull().default(sql`'{}'::text[]`),
    /** The Standard Webhooks signing secret ("whsec_…"), encrypted (AES-256-GCM); shown once, when made. */
    secretEnc: text("secret_enc").notNull(),
    /** After a rotation, the previous secret also signs until this time, so receivers can switch over. */
    previousSecretEnc: text("previous_secret_enc"),
    previousSecretUntil: timestamp("previous_secret_until", { withTimezone: true }),
    enabled: boolean("enabled").notNull().default(true),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("webhook_endpoints_tenant_idx").on(t.tenantId)],
);

/** One message of one event to one recipient: an email to a member, or a POST to an endpoint. */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    eventId: bigint("event_id", { mode: "number" })
      .notNull()
      .references(() => notificationEvents.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** "email" or "webhook". */
    channel: text("channel").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** "pending", "sent" or "failed" (every attempt used). */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** A sender holds the delivery until then: one that died mid-send leaves it to the next after this. */
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    lastError: text("last_error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("notification_deliveries_email_uq").on(t.eventId, t.userId).where(sql`${t.channel} = 'email'`),
    uniqueIndex("notification_deliveries_webhook_uq").on(t.eventId, t.endpointId).where(sql`${t.channel} = 'webhook'`),
    index("notification_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("notification_deliveries_endpoint_idx").on(t.endpointId, t.createdAt.desc()),
  ],
);

/** Each attempt of a delivery: the endpoint's delivery log (time, event, HTTP status, duration, attempt). */
export const notificationAttempts = pgTable(
  "notification_attempts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: bigint("delivery_id", { mode: "number" })
      .notNull()
      .references(() => notificationDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** The endpoint's HTTP status; null when no answer came (refused address, timeout, network) or for an email. */
    httpStatus: integer("http_status"),
    durationMs: integer("duration_ms").notNull(),
    ok: boolean("ok").notNull(),
    error: text("error"),
  },
  (t) => [index("notification_attempts_delivery_idx").on(t.deliveryId, t.attempt)],
);

/** The inbox's read marks: an event is unread for a member until they mark it read. */
export const notificationReads = pgTable(
  "notification_reads",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    eventId: bigint("event_id", { mode: "number" })
      .notNull()
      .references(() => notificationEvents.id, { onDelete: "cascade" }),
    readAt: timestamp("read_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "notification_reads_pk", columns: [t.userId, t.eventId] })],
);

/** A member's email preference for one event type on one tenant. No row: email on. */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    email: boolean("email").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "notification_preferences_pk", columns: [t.userId, t.tenantId, t.eventType] })],
);
