DROP INDEX "callback_logs_tenant_created_idx";--> statement-breakpoint
DROP INDEX "callback_logs_tenant_outcome_created_idx";--> statement-breakpoint
DROP INDEX "callback_logs_tenant_user_created_idx";--> statement-breakpoint
DROP INDEX "refresh_logs_tenant_created_idx";--> statement-breakpoint
DROP INDEX "refresh_logs_tenant_outcome_created_idx";--> statement-breakpoint
DROP INDEX "audit_events_tenant_created_idx";--> statement-breakpoint
DROP INDEX "audit_events_tenant_actor_created_idx";--> statement-breakpoint
DROP INDEX "audit_events_tenant_outcome_created_idx";--> statement-breakpoint
DROP INDEX "webhook_events_tenant_received_idx";--> statement-breakpoint
CREATE INDEX "webhook_deliveries_signature_failures_idx" ON "webhook_deliveries" USING btree ("received_at") WHERE "webhook_deliveries"."status" = 'rejected_signature';--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_dead_idx" ON "webhook_events" USING btree ("tenant_id") WHERE "webhook_events"."status" = 'dead';--> statement-breakpoint
CREATE INDEX "callback_logs_tenant_created_idx" ON "callback_logs" USING btree ("tenant_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "callback_logs_tenant_outcome_created_idx" ON "callback_logs" USING btree ("tenant_id","outcome","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "callback_logs_tenant_user_created_idx" ON "callback_logs" USING btree ("tenant_id","user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "refresh_logs_tenant_created_idx" ON "refresh_logs" USING btree ("tenant_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "refresh_logs_tenant_outcome_created_idx" ON "refresh_logs" USING btree ("tenant_id","outcome","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "audit_events_tenant_created_idx" ON "audit_events" USING btree ("tenant_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "audit_events_tenant_actor_created_idx" ON "audit_events" USING btree ("tenant_id","actor_user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "audit_events_tenant_outcome_created_idx" ON "audit_events" USING btree ("tenant_id","outcome","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "webhook_events_tenant_received_idx" ON "webhook_events" USING btree ("tenant_id","received_at" DESC NULLS FIRST,"delay_ms");