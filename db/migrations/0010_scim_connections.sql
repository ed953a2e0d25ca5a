CREATE TABLE "connection_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"connection_id" integer NOT NULL,
	"token_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "connections" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"company" text NOT NULL,
	"policy" jsonb NOT NULL,
	"admin_user_id" integer NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp with time zone,
	CONSTRAINT "connections_name_length" CHECK (char_length("connections"."name") between 1 and 100),
	CONSTRAINT "connections_company_length" CHECK (char_length("connections"."company") between 1 and 200)
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "scim_connection_id" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "scim_user_name" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "employee_number" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "scim_manager_ref" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "scim_profile" jsonb;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deprovisioned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "scim_deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connection_tokens" ADD CONSTRAINT "connection_tokens_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_admin_user_id_users_id_fk" FOREIGN KEY ("admin_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connection_tokens_hash_unique" ON "connection_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "connection_tokens_connection_idx" ON "connection_tokens" USING btree ("connection_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_scim_connection_id_connections_id_fk" FOREIGN KEY ("scim_connection_id") REFERENCES "public"."connections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_scim_connection_idx" ON "audit_log" USING btree ((("after" ->> 'connectionId')::int),"id") WHERE "audit_log"."action" like 'scim.%';--> statement-breakpoint
CREATE UNIQUE INDEX "users_scim_user_name_unique" ON "users" USING btree (lower(coalesce("scim_user_name", "email")));--> statement-breakpoint
CREATE INDEX "users_external_id_idx" ON "users" USING btree ("external_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_scim_lengths" CHECK (char_length("users"."scim_user_name") <= 320 and char_length("users"."external_id") <= 255 and char_length("users"."employee_number") <= 255 and char_length("users"."scim_manager_ref") <= 255);