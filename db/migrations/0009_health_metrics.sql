CREATE TABLE "qbo_api_calls" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "qbo_api_calls_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" uuid NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"realm_id" text NOT NULL,
	"operation" text NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer,
	"latency_ms" integer NOT NULL,
	"intuit_tid" text,
	"error_code" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qbo_health_hourly" (
	"tenant_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"metric" text NOT NULL,
	"outcome" text NOT NULL,
	"count" bigint NOT NULL,
	"sum" double precision NOT NULL,
	"histogram" integer[] NOT NULL,
	CONSTRAINT "qbo_health_hourly_pk" PRIMARY KEY("tenant_id","hour","metric","outcome")
);
--> statement-breakpoint
ALTER TABLE "qbo_api_calls" ADD CONSTRAINT "qbo_api_calls_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qbo_health_hourly" ADD CONSTRAINT "qbo_health_hourly_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "qbo_api_calls_tenant_created_idx" ON "qbo_api_calls" USING btree ("tenant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "qbo_api_calls_tenant_errors_idx" ON "qbo_api_calls" USING btree ("tenant_id","created_at" DESC NULLS LAST) WHERE "qbo_api_calls"."outcome" <> 'success';--> statement-breakpoint
CREATE INDEX "qbo_api_calls_created_idx" ON "qbo_api_calls" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "qbo_health_hourly_hour_idx" ON "qbo_health_hourly" USING btree ("hour");