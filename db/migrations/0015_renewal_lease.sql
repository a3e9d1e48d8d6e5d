-- The renewal lease (lib/quickbooks/client/renewal-lease.ts): a renewal takes it in a short transaction, asks Intuit
-- with no database connection held, and commits the rotated pair in a second short transaction.
ALTER TABLE "quickbooks_connections" ADD COLUMN "renewal_lease_id" uuid;--> statement-breakpoint
ALTER TABLE "quickbooks_connections" ADD COLUMN "renewal_lease_until" timestamp with time zone;
