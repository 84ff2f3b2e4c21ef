DROP INDEX "asset_events_organisation_time_idx";--> statement-breakpoint
DROP INDEX "asset_events_time_idx";--> statement-breakpoint
CREATE INDEX "users_not_active_idx" ON "users" USING btree ("id") WHERE "users"."status" <> 'active';--> statement-breakpoint
CREATE INDEX "enrolments_created_idx" ON "enrolments" USING btree ("created_at","organisation_id","course_id","user_id");--> statement-breakpoint
CREATE INDEX "attempts_organisation_accessed_idx" ON "attempts" USING btree ("organisation_id","last_accessed_at","user_id");--> statement-breakpoint
CREATE INDEX "attempts_completed_idx" ON "attempts" USING btree ("completed_at","organisation_id");--> statement-breakpoint
CREATE INDEX "certificates_organisation_expires_idx" ON "certificates" USING btree ("organisation_id","expires_at");--> statement-breakpoint
CREATE INDEX "asset_events_organisation_time_idx" ON "asset_events" USING btree ("organisation_id","occurred_at","kind","user_id");--> statement-breakpoint
CREATE INDEX "asset_events_time_idx" ON "asset_events" USING btree ("occurred_at","organisation_id","kind","asset_id","user_id");