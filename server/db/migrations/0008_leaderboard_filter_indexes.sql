DROP INDEX "gamification_user_points_region_idx";--> statement-breakpoint
DROP INDEX "gamification_user_points_type_idx";--> statement-breakpoint
DROP INDEX "gamification_user_points_tier_idx";--> statement-breakpoint
CREATE INDEX "gamification_user_points_region_idx" ON "gamification_user_points" USING btree ("period_key","region","points" DESC NULLS LAST,"user_id");--> statement-breakpoint
CREATE INDEX "gamification_user_points_type_idx" ON "gamification_user_points" USING btree ("period_key","partner_type","points" DESC NULLS LAST,"user_id");--> statement-breakpoint
CREATE INDEX "gamification_user_points_tier_idx" ON "gamification_user_points" USING btree ("period_key","tier_id","points" DESC NULLS LAST,"user_id");