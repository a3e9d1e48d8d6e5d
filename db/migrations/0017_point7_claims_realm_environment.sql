-- Issue 15, point 7.
--
-- A sync run is held by the claim that took it: each claim writes a fresh token, and the runner's writes are
-- conditioned on it (lib/ledger/store/sync-runs.ts), so a runner whose run was taken over writes nothing more.
ALTER TABLE "sync_runs" ADD COLUMN "claim_token" uuid;--> statement-breakpoint
-- Sandbox and production realm ids are separate namespaces: a webhook event and a recorded change say which
-- environment their realm is of. Events still to be processed (or retried) take it from the connection that holds
-- their realm for their tenant, else the tenant's chosen environment; processed ones never need it again.
ALTER TABLE "webhook_events" ADD COLUMN "environment" "intuit_environment";--> statement-breakpoint
UPDATE "webhook_events" e SET "environment" = coalesce(
  (SELECT c."environment" FROM "quickbooks_connections" c WHERE c."tenant_id" = e."tenant_id" AND c."realm_id" = e."realm_id" ORDER BY (c."status" = 'active') DESC LIMIT 1),
  (SELECT s."environment" FROM "tenant_intuit_settings" s WHERE s."tenant_id" = e."tenant_id"),
  'sandbox')
WHERE e."tenant_id" IS NOT NULL AND e."status" IN ('pending', 'dead');--> statement-breakpoint
ALTER TABLE "quickbooks_changes" ADD COLUMN "environment" "intuit_environment";--> statement-breakpoint
UPDATE "quickbooks_changes" q SET "environment" = coalesce(
  (SELECT c."environment" FROM "quickbooks_connections" c WHERE c."tenant_id" = q."tenant_id" AND c."realm_id" = q."realm_id" ORDER BY (c."status" = 'active') DESC LIMIT 1),
  (SELECT s."environment" FROM "tenant_intuit_settings" s WHERE s."tenant_id" = q."tenant_id"),
  'sandbox');--> statement-breakpoint
ALTER TABLE "quickbooks_changes" ALTER COLUMN "environment" SET NOT NULL;--> statement-breakpoint
DROP INDEX "quickbooks_changes_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "quickbooks_changes_uq" ON "quickbooks_changes" USING btree ("tenant_id","environment","realm_id","entity","entity_id","operation","changed_at");--> statement-breakpoint
-- A closed reconciliation stays the month-end snapshot even against a change racing the close: a change to a line
-- share-locks its reconciliation before reading its status, so it waits for a close in progress and then sees it
-- closed, and a close waits for a change in progress (which then is in the snapshot). 0010 read the status unlocked.
CREATE OR REPLACE FUNCTION reconciliations_refuse_change_when_closed() RETURNS trigger AS $$
DECLARE
  closed boolean;
BEGIN
  IF TG_TABLE_NAME = 'reconciliations' THEN
    closed := OLD.status = 'closed';
  ELSE
    SELECT r.status = 'closed' INTO closed FROM reconciliations r
     WHERE r.id = CASE WHEN TG_OP = 'INSERT' THEN NEW.reconciliation_id ELSE OLD.reconciliation_id END
       FOR SHARE;
  END IF;
  IF closed THEN
    RAISE EXCEPTION 'a closed reconciliation cannot change: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
