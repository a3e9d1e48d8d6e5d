CREATE TYPE "public"."webhook_delivery_status" AS ENUM('accepted', 'rejected_signature', 'malformed', 'too_large', 'unsupported_media_type', 'not_configured');--> statement-breakpoint
CREATE TYPE "public"."webhook_event_status" AS ENUM('pending', 'processed', 'ignored', 'dead');--> statement-breakpoint
CREATE TABLE "quickbooks_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "quickbooks_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" uuid NOT NULL,
	"realm_id" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"operation" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" "webhook_delivery_status" NOT NULL,
	"http_status" integer NOT NULL,
	"signature" text NOT NULL,
	"format" text,
	"content_type" text,
	"body_bytes" integer NOT NULL,
	"event_count" integer DEFAULT 0 NOT NULL,
	"new_event_count" integer DEFAULT 0 NOT NULL,
	"realm_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"tenant_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"max_delay_ms" integer,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_key" text NOT NULL,
	"delivery_id" bigint NOT NULL,
	"realm_id" text NOT NULL,
	"tenant_id" uuid,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"operation" text NOT NULL,
	"occurred_at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delay_ms" integer,
	"status" "webhook_event_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "last_change_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "last_catch_up_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quickbooks_changes" ADD CONSTRAINT "quickbooks_changes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "quickbooks_changes_uq" ON "quickbooks_changes" USING btree ("tenant_id","entity","entity_id","operation","changed_at");--> statement-breakpoint
CREATE INDEX "quickbooks_changes_tenant_idx" ON "quickbooks_changes" USING btree ("tenant_id","changed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_idx" ON "webhook_deliveries" USING btree ("received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "webhook_deliveries_tenants_idx" ON "webhook_deliveries" USING gin ("tenant_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_key_uq" ON "webhook_events" USING btree ("event_key");--> statement-breakpoint
CREATE INDEX "webhook_events_pending_idx" ON "webhook_events" USING btree ("next_attempt_at") WHERE "webhook_events"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_received_idx" ON "webhook_events" USING btree ("tenant_id","received_at" DESC NULLS LAST);