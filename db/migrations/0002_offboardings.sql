CREATE TYPE "public"."offboarding_outcome" AS ENUM('inactivated', 'removed', 'cancelled', 'failed');--> statement-breakpoint
CREATE TABLE "offboardings" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"batch_id" text,
	"workflow_id" text NOT NULL,
	"requested_by" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"outcome" "offboarding_outcome"
);
--> statement-breakpoint
ALTER TABLE "offboardings" ADD CONSTRAINT "offboardings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offboardings" ADD CONSTRAINT "offboardings_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "offboardings_one_open_per_user" ON "offboardings" USING btree ("user_id") WHERE "offboardings"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "offboardings_batch_idx" ON "offboardings" USING btree ("batch_id");