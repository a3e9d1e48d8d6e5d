-- A callback's realmId is only a claim until CompanyInfo for that company answers with the new tokens: it waits in
-- pending_realm_id, outside the realm index and the webhook routing. A connection that is not connected holds no
-- company, so that a disconnected tenant never blocks another from connecting it (and its own next Connect). Tokens
-- received but never verified go back to being a claim.
ALTER TABLE "quickbooks_connections" ADD COLUMN "pending_realm_id" text;--> statement-breakpoint
UPDATE "quickbooks_connections" SET "pending_realm_id" = "realm_id", "realm_id" = NULL WHERE "status" = 'callback_received';--> statement-breakpoint
UPDATE "quickbooks_connections" SET "realm_id" = NULL WHERE "status" IN ('not_connected', 'authorizing', 'disconnected');
