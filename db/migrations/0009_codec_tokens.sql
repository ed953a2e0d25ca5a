CREATE TABLE "codec_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"name" text NOT NULL,
	"acts_for_user_id" integer NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "codec_tokens_name_length" CHECK (char_length("codec_tokens"."name") between 1 and 100)
);
--> statement-breakpoint
ALTER TABLE "codec_tokens" ADD CONSTRAINT "codec_tokens_acts_for_user_id_users_id_fk" FOREIGN KEY ("acts_for_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "codec_tokens_hash_unique" ON "codec_tokens" USING btree ("token_hash");