CREATE TABLE "web_action_link_uses" (
	"link_hash" text PRIMARY KEY NOT NULL,
	"uses" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "web_form_uses" (
	"actor_id" integer NOT NULL,
	"request_id" text NOT NULL,
	"action_hash" text NOT NULL,
	"used_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "web_form_uses_actor_id_request_id_pk" PRIMARY KEY("actor_id","request_id")
);
--> statement-breakpoint
ALTER TABLE "web_sessions" ADD COLUMN "offboarding_id" integer;--> statement-breakpoint
ALTER TABLE "web_form_uses" ADD CONSTRAINT "web_form_uses_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "web_action_link_uses_expires_idx" ON "web_action_link_uses" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "web_form_uses_used_idx" ON "web_form_uses" USING btree ("used_at");--> statement-breakpoint
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_offboarding_id_offboardings_id_fk" FOREIGN KEY ("offboarding_id") REFERENCES "public"."offboardings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "web_sessions_offboarding_idx" ON "web_sessions" USING btree ("offboarding_id");--> statement-breakpoint
-- Sessions opened from action links before this migration: bound to the offboarding of their person that is still running; the others end.
UPDATE "web_sessions" s SET "offboarding_id" = o."id" FROM "offboardings" o WHERE s."via" = 'action-link' AND o."user_id" = s."scope_user_id" AND o."ended_at" IS NULL;--> statement-breakpoint
DELETE FROM "web_sessions" WHERE "via" = 'action-link' AND "offboarding_id" IS NULL;--> statement-breakpoint
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_action_link_bound" CHECK ("web_sessions"."via" <> 'action-link' or ("web_sessions"."offboarding_id" is not null and "web_sessions"."scope_user_id" is not null));