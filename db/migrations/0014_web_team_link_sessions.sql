ALTER TABLE "web_sessions" ADD COLUMN "batch_id" text;--> statement-breakpoint
CREATE INDEX "web_sessions_batch_idx" ON "web_sessions" USING btree ("batch_id");--> statement-breakpoint
-- A session from a link is either a personal one (one leaving person, bound to their offboarding) or a team one (bound to one batch, no person): never both, never neither.
ALTER TABLE "web_sessions" DROP CONSTRAINT "web_sessions_action_link_bound";--> statement-breakpoint
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_action_link_bound" CHECK ("web_sessions"."via" <> 'action-link' or ("web_sessions"."offboarding_id" is not null and "web_sessions"."scope_user_id" is not null and "web_sessions"."batch_id" is null) or ("web_sessions"."batch_id" is not null and "web_sessions"."offboarding_id" is null and "web_sessions"."scope_user_id" is null));--> statement-breakpoint
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_batch_only_from_links" CHECK ("web_sessions"."batch_id" is null or "web_sessions"."via" = 'action-link');
