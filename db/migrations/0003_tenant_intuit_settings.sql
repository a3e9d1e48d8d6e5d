CREATE TABLE "intuit_credentials" (
	"tenant_id" uuid NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"client_id" text NOT NULL,
	"client_secret_enc" text NOT NULL,
	"secret_last4" text NOT NULL,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	"set_by_user_id" uuid,
	CONSTRAINT "intuit_credentials_tenant_id_environment_pk" PRIMARY KEY("tenant_id","environment")
);
--> statement-breakpoint
CREATE TABLE "tenant_intuit_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"environment" "intuit_environment" NOT NULL,
	"redirect_uri" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by_user_id" uuid
);
--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "verify_evidence" jsonb;--> statement-breakpoint
ALTER TABLE "intuit_credentials" ADD CONSTRAINT "intuit_credentials_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intuit_credentials" ADD CONSTRAINT "intuit_credentials_set_by_user_id_users_id_fk" FOREIGN KEY ("set_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_intuit_settings" ADD CONSTRAINT "tenant_intuit_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_intuit_settings" ADD CONSTRAINT "tenant_intuit_settings_updated_by_user_id_users_id_fk" FOREIGN KEY ("updated_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;