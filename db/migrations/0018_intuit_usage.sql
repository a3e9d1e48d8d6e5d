CREATE TABLE "intuit_app_plans" (
	"app_key" text PRIMARY KEY NOT NULL,
	"tier" text DEFAULT 'builder' NOT NULL,
	"monthly_quota" integer DEFAULT 500000 NOT NULL,
	"month_start_day" smallint DEFAULT 1 NOT NULL,
	"background_share_pct" smallint DEFAULT 20 NOT NULL,
	"reads_blocked_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by_user_id" uuid
);
--> statement-breakpoint
CREATE TABLE "intuit_usage_alerts" (
	"app_key" text NOT NULL,
	"month" date NOT NULL,
	"threshold" smallint NOT NULL,
	"basis" text NOT NULL,
	"reads_at_alert" integer NOT NULL,
	"projected_at_alert" integer NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "intuit_usage_alerts_pk" PRIMARY KEY("app_key","month","threshold")
);
--> statement-breakpoint
CREATE TABLE "intuit_usage_daily" (
	"day" date NOT NULL,
	"app_key" text NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"tenant_id" uuid NOT NULL,
	"operation" text NOT NULL,
	"category" text NOT NULL,
	"cause" text NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "intuit_usage_daily_pk" PRIMARY KEY("day","app_key","environment","tenant_id","operation","cause")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "is_platform_operator" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "intuit_app_plans" ADD CONSTRAINT "intuit_app_plans_updated_by_user_id_users_id_fk" FOREIGN KEY ("updated_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intuit_usage_daily" ADD CONSTRAINT "intuit_usage_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "intuit_usage_daily_app_idx" ON "intuit_usage_daily" USING btree ("app_key","environment","day");--> statement-breakpoint
CREATE INDEX "intuit_usage_daily_tenant_idx" ON "intuit_usage_daily" USING btree ("tenant_id","day");