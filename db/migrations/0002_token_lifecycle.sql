CREATE TYPE "public"."refresh_outcome" AS ENUM('success', 'failure', 'skipped');--> statement-breakpoint
CREATE TYPE "public"."refresh_trigger" AS ENUM('on_demand', 'unauthorized', 'scheduled', 'manual');--> statement-breakpoint
CREATE TYPE "public"."revocation_status" AS ENUM('pending', 'revoked', 'failed');--> statement-breakpoint
CREATE TABLE "refresh_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "refresh_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" uuid,
	"connection_id" uuid,
	"environment" "intuit_environment",
	"realm_id" text,
	"trigger" "refresh_trigger" NOT NULL,
	"outcome" "refresh_outcome" NOT NULL,
	"error_code" text,
	"message" text NOT NULL,
	"intuit_tid" text,
	"old_access_expires_at" timestamp with time zone,
	"new_access_expires_at" timestamp with time zone,
	"old_refresh_expires_at" timestamp with time zone,
	"new_refresh_expires_at" timestamp with time zone,
	"refresh_token_rotated" boolean,
	"duration_ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "token_revocations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"realm_id" text,
	"token_enc" text,
	"status" "revocation_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error_code" text,
	"last_error_message" text,
	"intuit_tid" text,
	"requested_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "last_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "last_refreshed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "refresh_logs" ADD CONSTRAINT "refresh_logs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_logs" ADD CONSTRAINT "refresh_logs_connection_id_quickbooks_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."quickbooks_connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_revocations" ADD CONSTRAINT "token_revocations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_revocations" ADD CONSTRAINT "token_revocations_requested_by_user_id_users_id_fk" FOREIGN KEY ("requested_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refresh_logs_tenant_created_idx" ON "refresh_logs" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "token_revocations_tenant_idx" ON "token_revocations" USING btree ("tenant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "token_revocations_status_idx" ON "token_revocations" USING btree ("status");--> statement-breakpoint
CREATE INDEX "quickbooks_connections_access_expiry_idx" ON "quickbooks_connections" USING btree ("access_token_expires_at") WHERE "quickbooks_connections"."refresh_token_enc" is not null;--> statement-breakpoint
CREATE INDEX "quickbooks_connections_refresh_expiry_idx" ON "quickbooks_connections" USING btree ("refresh_token_expires_at") WHERE "quickbooks_connections"."refresh_token_enc" is not null;