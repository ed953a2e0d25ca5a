-- Imported work (domain/work-import.ts): each tool's items carry the ID they have in their tool, unique
-- per tool, so a re-import updates the item instead of adding it again. Existing rows keep NULL.
ALTER TABLE "defect_items" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "inspections" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "meeting_items" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "meetings" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "observations" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "rfis" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "submittals" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "timecard_entries" ADD COLUMN "external_id" text;--> statement-breakpoint
-- users.external_id belongs to the SCIM connections (migration 0010); added here only if missing.
ALTER TABLE "users" ADD COLUMN IF NOT EXISTS "external_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "defect_items_external_id_unique" ON "defect_items" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "inspections_external_id_unique" ON "inspections" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "meeting_items_external_id_unique" ON "meeting_items" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "meetings_external_id_unique" ON "meetings" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "observations_external_id_unique" ON "observations" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rfis_external_id_unique" ON "rfis" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "submittals_external_id_unique" ON "submittals" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "timecard_entries_external_id_unique" ON "timecard_entries" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "users_external_id_idx" ON "users" USING btree ("external_id");