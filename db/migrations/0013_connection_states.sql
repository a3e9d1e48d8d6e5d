-- The connection's state machine lost "verified": Verify and Connect happen together (a successful CompanyInfo call
-- flags the profile active in the same transaction), so no connection ever rested in it. A row found there had not
-- been activated: it goes back to callback_received and is verified again. The two partial indexes that compare the
-- status are rebuilt around the type change.
UPDATE "quickbooks_connections" SET "status" = 'callback_received' WHERE "status" = 'verified';--> statement-breakpoint
DROP INDEX "quickbooks_connections_realm_uq";--> statement-breakpoint
DROP INDEX "quickbooks_connections_reverify_idx";--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ALTER COLUMN "status" DROP DEFAULT;--> statement-breakpoint
ALTER TYPE "public"."connection_status" RENAME TO "connection_status_old";--> statement-breakpoint
CREATE TYPE "public"."connection_status" AS ENUM('not_connected', 'authorizing', 'callback_received', 'active', 'reauthorization_required', 'disconnected');--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ALTER COLUMN "status" SET DATA TYPE "public"."connection_status" USING "status"::text::"public"."connection_status";--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ALTER COLUMN "status" SET DEFAULT 'not_connected';--> statement-breakpoint
DROP TYPE "public"."connection_status_old";--> statement-breakpoint
CREATE UNIQUE INDEX "quickbooks_connections_realm_uq" ON "quickbooks_connections" USING btree ("environment","realm_id") WHERE "quickbooks_connections"."realm_id" is not null and "quickbooks_connections"."status" <> 'disconnected';--> statement-breakpoint
CREATE INDEX "quickbooks_connections_reverify_idx" ON "quickbooks_connections" USING btree ("verified_at") WHERE "quickbooks_connections"."status" = 'active';
