ALTER TABLE "jobs" ADD COLUMN "owner_instance" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "jobs_lease_until_idx" ON "jobs" USING btree ("lease_until");