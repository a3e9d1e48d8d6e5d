ALTER TABLE "quickbooks_connections" ADD COLUMN "fiscal_year_start_month" integer;--> statement-breakpoint
ALTER TABLE "reconciliations" ADD COLUMN "report_end_date" date;--> statement-breakpoint
ALTER TABLE "reconciliations" ADD COLUMN "report_start_date" date;--> statement-breakpoint
ALTER TABLE "reconciliations" ADD COLUMN "accounting_method" text;--> statement-breakpoint
ALTER TABLE "reconciliations" ADD COLUMN "report_read_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reconciliations" ADD COLUMN "report_intuit_tid" text;