ALTER TABLE "account_mappings" ADD COLUMN "qbo_account_number" text;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD COLUMN "qbo_account_fqn" text;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD COLUMN "production_realm_id" text;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD COLUMN "production_account_id" text;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD COLUMN "production_account_name" text;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD COLUMN "production_matched_by" text;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD COLUMN "production_confirmed_by_user_id" uuid;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD COLUMN "production_confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "qbo_accounts" ADD COLUMN "account_number" text;--> statement-breakpoint
ALTER TABLE "account_mappings" ADD CONSTRAINT "account_mappings_production_confirmed_by_user_id_users_id_fk" FOREIGN KEY ("production_confirmed_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Existing mappings were made in the sandbox: keep the fully qualified name of the account each points at, from the
-- sandbox chart as last fetched. Numbers come with the next sandbox validation or sync, which store AcctNum.
UPDATE "account_mappings" m SET "qbo_account_fqn" = coalesce(q."fully_qualified_name", q."name")
FROM "qbo_accounts" q
WHERE q."tenant_id" = m."tenant_id" AND q."environment" = 'sandbox' AND q."qbo_id" = m."qbo_account_id" AND m."qbo_account_fqn" IS NULL;
