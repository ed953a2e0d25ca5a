-- HR's directory: search by part of a name or email (trigram indexes answer ILIKE '%…%'), and the company filter and facet.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "users_name_trgm_idx" ON "users" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "users_email_trgm_idx" ON "users" USING gin ("email" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "users_company_name_id_idx" ON "users" USING btree ("company","name","id");