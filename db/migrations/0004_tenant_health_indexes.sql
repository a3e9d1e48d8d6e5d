DROP INDEX "memberships_user_idx";--> statement-breakpoint
CREATE INDEX "memberships_user_role_idx" ON "memberships" USING btree ("user_id","role","tenant_id");--> statement-breakpoint
CREATE INDEX "quickbooks_connections_reverify_idx" ON "quickbooks_connections" USING btree ("verified_at") WHERE "quickbooks_connections"."status" = 'active';