-- An alert is about the quota it was measured against: after a plan change, the new quota's thresholds alert anew.
-- Alerts raised before this migration were measured against the app's plan as it stands (or Builder's default).
ALTER TABLE "intuit_usage_alerts" ADD COLUMN "quota" integer;--> statement-breakpoint
UPDATE "intuit_usage_alerts" a SET "quota" = coalesce((SELECT p."monthly_quota" FROM "intuit_app_plans" p WHERE p."app_key" = a."app_key"), 500000);--> statement-breakpoint
ALTER TABLE "intuit_usage_alerts" ALTER COLUMN "quota" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "intuit_usage_alerts" DROP CONSTRAINT "intuit_usage_alerts_pk";--> statement-breakpoint
ALTER TABLE "intuit_usage_alerts" ADD CONSTRAINT "intuit_usage_alerts_pk" PRIMARY KEY("app_key","month","quota","threshold");
