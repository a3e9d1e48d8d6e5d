ALTER TABLE "quickbooks_connections" ADD COLUMN "catch_up_requested_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "catch_up_trigger" text;
--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "catch_up_attempted_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "last_catch_up_trigger" text;
--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "proven_at" timestamp with time zone;
--> statement-breakpoint
CREATE TABLE "sweep_marks" (
	"name" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "background_governor" (
	"app_key" text PRIMARY KEY NOT NULL,
	"level" smallint DEFAULT 0 NOT NULL,
	"factor" smallint DEFAULT 1 NOT NULL,
	"changed_at" timestamp with time zone,
	"used_at_change" integer,
	"decided_at" timestamp with time zone NOT NULL,
	"quota" integer NOT NULL,
	"room" integer NOT NULL,
	"used" integer NOT NULL,
	"projected" integer NOT NULL
);
