CREATE TABLE "api_idempotency_keys" (
	"connection_id" integer NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"batch_id" text NOT NULL,
	"status" integer,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_idempotency_keys_connection_id_key_pk" PRIMARY KEY("connection_id","key"),
	CONSTRAINT "api_idempotency_keys_key_length" CHECK (char_length("api_idempotency_keys"."key") between 1 and 255)
);
--> statement-breakpoint
ALTER TABLE "api_idempotency_keys" ADD CONSTRAINT "api_idempotency_keys_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE no action ON UPDATE no action;
