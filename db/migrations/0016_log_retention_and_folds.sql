-- Strangers cannot grow the tables (lib/logs/repeat-fold.ts): a failed callback, a rejected webhook delivery and the
-- audit event of an unauthenticated request are counted on one row per source, kind and 10-minute window.
ALTER TABLE "callback_logs" ADD COLUMN "source_ip" text;--> statement-breakpoint
ALTER TABLE "callback_logs" ADD COLUMN "repeat_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "callback_logs" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "callback_logs" ADD COLUMN "fold_key" text;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "source_ip" text;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "repeat_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "fold_key" text;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "repeat_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "fold_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "callback_logs_fold_uq" ON "callback_logs" USING btree ("fold_key") WHERE "callback_logs"."fold_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_fold_uq" ON "webhook_deliveries" USING btree ("fold_key") WHERE "webhook_deliveries"."fold_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_fold_uq" ON "audit_events" USING btree ("fold_key") WHERE "audit_events"."fold_key" is not null;--> statement-breakpoint
-- Every log table has a retention (lib/jobs/retention-sweep.ts, README "Retention"): the range each sweep deletes.
CREATE INDEX "callback_logs_created_idx" ON "callback_logs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "refresh_logs_created_idx" ON "refresh_logs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "webhook_events_settled_received_idx" ON "webhook_events" USING btree ("received_at") WHERE "webhook_events"."status" <> 'pending';--> statement-breakpoint
CREATE INDEX "quickbooks_changes_recorded_idx" ON "quickbooks_changes" USING btree ("recorded_at");--> statement-breakpoint
CREATE INDEX "sync_runs_finished_idx" ON "sync_runs" USING btree ("finished_at") WHERE "sync_runs"."finished_at" is not null;--> statement-breakpoint
CREATE INDEX "audit_events_created_idx" ON "audit_events" USING btree ("created_at");--> statement-breakpoint
-- The audit trail's own retention: the purge never deletes a younger row, whoever runs it.
CREATE OR REPLACE FUNCTION audit_events_retention() RETURNS interval LANGUAGE sql IMMUTABLE AS $$ SELECT interval '7 years' $$;
--> statement-breakpoint
-- Still append-only (0001), with two exceptions: a folded row's count grows (nothing else of it changes), and a row
-- past the retention is deleted by purge_audit_events(), which only the table's owner runs. The app's database role
-- is not the owner (README, "Retention"), so it can do neither of the second, even with DELETE granted: it cannot
-- run the function (EXECUTE is revoked from PUBLIC), and the trigger checks who deletes, not only the flag.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.fold_key IS NOT NULL AND NEW.repeat_count > OLD.repeat_count
     AND (to_jsonb(NEW) - 'repeat_count' - 'last_seen_at') = (to_jsonb(OLD) - 'repeat_count' - 'last_seen_at') THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND current_setting('qbc.audit_purge', true) = 'on'
     AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
     AND OLD.created_at < now() - audit_events_retention() THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Deletes the audit events older than `keep` (at least, and by default, audit_events_retention()); answers how many.
-- Run by the table's owner (or a role the owner grants EXECUTE to: SECURITY DEFINER runs it as the owner), daily.
CREATE OR REPLACE FUNCTION purge_audit_events(keep interval DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  kept interval := coalesce(keep, audit_events_retention());
  deleted bigint;
BEGIN
  IF kept < audit_events_retention() THEN
    RAISE EXCEPTION 'audit events are kept at least %, not %', audit_events_retention(), kept USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('qbc.audit_purge', 'on', true);
  DELETE FROM audit_events WHERE created_at < now() - kept;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('qbc.audit_purge', 'off', true);
  RETURN deleted;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION purge_audit_events(interval) FROM PUBLIC;
--> statement-breakpoint
-- What the app's own role may do, granted by the owner after each `npm run db:migrate` (README, "Retention"): read and
-- write every table, but of audit_events only add rows and grow a folded row's count; create the schemas the app
-- makes at start (pg-boss's, and drizzle's migration check, which then finds nothing to apply). It owns no table.
CREATE OR REPLACE FUNCTION grant_app_role(app_role name) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT CONNECT, CREATE ON DATABASE %I TO %I', current_database(), app_role);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM %I', app_role);
  EXECUTE format('GRANT UPDATE (repeat_count, last_seen_at) ON audit_events TO %I', app_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', current_schema(), app_role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', current_schema(), app_role);
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'drizzle') THEN
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA drizzle TO %I', app_role);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA drizzle TO %I', app_role);
  END IF;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION grant_app_role(name) FROM PUBLIC;
--> statement-breakpoint
-- The functions resolve names in the schema the tables live in, whatever the caller's search_path: a caller's own
-- schema or temporary table can never stand in for audit_events or the retention.
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION purge_audit_events(interval) SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION audit_events_refuse_change() SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION grant_app_role(name) SET search_path = %I, pg_temp', current_schema());
END;
$$;
