CREATE TYPE "public"."ledger_account_type" AS ENUM('asset', 'liability', 'equity', 'income', 'expense');--> statement-breakpoint
CREATE TYPE "public"."reconciliation_status" AS ENUM('open', 'closed');--> statement-breakpoint
CREATE TYPE "public"."sync_run_status" AS ENUM('queued', 'running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "account_mappings" (
	"tenant_id" uuid NOT NULL,
	"ledger_account_id" uuid NOT NULL,
	"qbo_account_id" text,
	"qbo_account_name" text,
	"allow_shared" boolean DEFAULT false NOT NULL,
	"updated_by_user_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_mappings_pk" PRIMARY KEY("tenant_id","ledger_account_id")
);
--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"type" "ledger_account_type" NOT NULL,
	"balance" numeric(18, 2) NOT NULL,
	"as_of" date NOT NULL,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mapping_validations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mapping_validations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" uuid NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"realm_id" text NOT NULL,
	"fingerprint" text NOT NULL,
	"passed" boolean NOT NULL,
	"checked" integer NOT NULL,
	"mapped" integer NOT NULL,
	"issues" jsonb NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qbo_accounts" (
	"tenant_id" uuid NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"realm_id" text NOT NULL,
	"qbo_id" text NOT NULL,
	"name" text NOT NULL,
	"fully_qualified_name" text,
	"account_type" text NOT NULL,
	"classification" text,
	"active" boolean NOT NULL,
	"current_balance" numeric(18, 2) NOT NULL,
	"sync_token" text,
	"last_updated_at" timestamp with time zone,
	"sync_run_id" bigint,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "qbo_accounts_pk" PRIMARY KEY("tenant_id","environment","realm_id","qbo_id")
);
--> statement-breakpoint
CREATE TABLE "reconciliation_lines" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reconciliation_lines_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"reconciliation_id" bigint NOT NULL,
	"tenant_id" uuid NOT NULL,
	"ledger_account_id" uuid,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"qbo_account_id" text,
	"qbo_account_name" text,
	"awra_balance" numeric(18, 2) NOT NULL,
	"qbo_balance" numeric(18, 2),
	"difference" numeric(18, 2) NOT NULL,
	"explanation" text,
	"explained_by_user_id" uuid,
	"explained_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reconciliations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reconciliations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" uuid NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"realm_id" text NOT NULL,
	"period" text NOT NULL,
	"as_of" date NOT NULL,
	"status" "reconciliation_status" DEFAULT 'open' NOT NULL,
	"sync_run_id" bigint,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_by_user_id" uuid,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sync_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" uuid NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"realm_id" text NOT NULL,
	"mode" text NOT NULL,
	"status" "sync_run_status" DEFAULT 'queued' NOT NULL,
	"total" integer,
	"processed" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"cursor" integer DEFAULT 0 NOT NULL,
	"changed_since" timestamp with time zone,
	"mapping_fingerprint" text NOT NULL,
	"error_message" text,
	"requested_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "account_mappings" ADD CONSTRAINT "account_mappings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD CONSTRAINT "account_mappings_ledger_account_id_ledger_accounts_id_fk" FOREIGN KEY ("ledger_account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD CONSTRAINT "account_mappings_updated_by_user_id_users_id_fk" FOREIGN KEY ("updated_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_validations" ADD CONSTRAINT "mapping_validations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mapping_validations" ADD CONSTRAINT "mapping_validations_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qbo_accounts" ADD CONSTRAINT "qbo_accounts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_lines" ADD CONSTRAINT "reconciliation_lines_reconciliation_id_reconciliations_id_fk" FOREIGN KEY ("reconciliation_id") REFERENCES "public"."reconciliations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_lines" ADD CONSTRAINT "reconciliation_lines_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_lines" ADD CONSTRAINT "reconciliation_lines_explained_by_user_id_users_id_fk" FOREIGN KEY ("explained_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliations" ADD CONSTRAINT "reconciliations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliations" ADD CONSTRAINT "reconciliations_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliations" ADD CONSTRAINT "reconciliations_closed_by_user_id_users_id_fk" FOREIGN KEY ("closed_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_requested_by_user_id_users_id_fk" FOREIGN KEY ("requested_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_mappings_target_idx" ON "account_mappings" USING btree ("tenant_id","qbo_account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_accounts_tenant_code_uq" ON "ledger_accounts" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE INDEX "mapping_validations_tenant_idx" ON "mapping_validations" USING btree ("tenant_id","environment","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reconciliation_lines_reconciliation_idx" ON "reconciliation_lines" USING btree ("reconciliation_id","code");--> statement-breakpoint
CREATE INDEX "reconciliations_tenant_idx" ON "reconciliations" USING btree ("tenant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliations_closed_period_uq" ON "reconciliations" USING btree ("tenant_id","environment","period") WHERE status = 'closed';--> statement-breakpoint
CREATE INDEX "sync_runs_tenant_idx" ON "sync_runs" USING btree ("tenant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_active_uq" ON "sync_runs" USING btree ("tenant_id","environment") WHERE status in ('queued', 'running');--> statement-breakpoint
-- A closed reconciliation is the month-end snapshot: the database refuses to change it or its lines afterwards.
CREATE OR REPLACE FUNCTION reconciliations_refuse_change_when_closed() RETURNS trigger AS $$
DECLARE
  closed boolean;
BEGIN
  IF TG_TABLE_NAME = 'reconciliations' THEN
    closed := OLD.status = 'closed';
  ELSE
    SELECT r.status = 'closed' INTO closed FROM reconciliations r
     WHERE r.id = CASE WHEN TG_OP = 'INSERT' THEN NEW.reconciliation_id ELSE OLD.reconciliation_id END;
  END IF;
  IF closed THEN
    RAISE EXCEPTION 'a closed reconciliation cannot change: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER reconciliations_frozen_when_closed
  BEFORE UPDATE OR DELETE ON reconciliations
  FOR EACH ROW EXECUTE FUNCTION reconciliations_refuse_change_when_closed();
--> statement-breakpoint
CREATE TRIGGER reconciliation_lines_frozen_when_closed
  BEFORE INSERT OR UPDATE OR DELETE ON reconciliation_lines
  FOR EACH ROW EXECUTE FUNCTION reconciliations_refuse_change_when_closed();
