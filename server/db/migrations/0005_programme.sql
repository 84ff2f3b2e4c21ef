CREATE TYPE "public"."certification_requirement_kind" AS ENUM('course', 'exam', 'path');--> statement-breakpoint
CREATE TYPE "public"."learning_path_enrolment_status" AS ENUM('assigned', 'unassigned');--> statement-breakpoint
CREATE TYPE "public"."learning_path_status" AS ENUM('draft', 'published', 'archived');--> statement-breakpoint
CREATE TYPE "public"."learning_path_step_kind" AS ENUM('course', 'asset');--> statement-breakpoint
CREATE TYPE "public"."gamification_badge_criterion" AS ENUM('points', 'course_completed', 'exam_passed', 'certification_earned', 'path_completed', 'cobrand_used');--> statement-breakpoint
CREATE TYPE "public"."gamification_outcome_kind" AS ENUM('course_completed', 'exam_passed', 'certification_earned', 'path_completed', 'cobrand_used');--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"certification_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"cycle" integer NOT NULL,
	"certification_name" text NOT NULL,
	"requirements_revision" integer NOT NULL,
	"requirements" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoke_reason" text,
	"revoked_by_id" uuid,
	"recert_reminded_at" timestamp with time zone,
	"recert_path_id" uuid,
	CONSTRAINT "certificates_revocation_check" CHECK (("certificates"."revoked_at" is null) = ("certificates"."revoke_reason" is null))
);
--> statement-breakpoint
CREATE TABLE "certification_requirements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"certification_id" uuid NOT NULL,
	"kind" "certification_requirement_kind" NOT NULL,
	"course_id" uuid,
	"path_id" uuid,
	"passing_score" integer,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "certification_requirements_target_check" CHECK (("certification_requirements"."kind" = 'path') = ("certification_requirements"."path_id" is not null) and ("certification_requirements"."kind" = 'path') = ("certification_requirements"."course_id" is null)),
	CONSTRAINT "certification_requirements_score_check" CHECK (("certification_requirements"."kind" = 'exam') = ("certification_requirements"."passing_score" is not null) and ("certification_requirements"."passing_score" is null or "certification_requirements"."passing_score" between 0 and 100))
);
--> statement-breakpoint
CREATE TABLE "certifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"validity_months" integer NOT NULL,
	"recert_window_days" integer DEFAULT 60 NOT NULL,
	"recert_path_id" uuid,
	"requirements_revision" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "certifications_validity_check" CHECK ("certifications"."validity_months" between 1 and 120),
	CONSTRAINT "certifications_recert_window_check" CHECK ("certifications"."recert_window_days" between 0 and 365)
);
--> statement-breakpoint
CREATE TABLE "tier_certification_requirements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tier_id" uuid NOT NULL,
	"certification_id" uuid NOT NULL,
	"role" "user_role",
	"required_count" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tier_certification_requirements_key" UNIQUE NULLS NOT DISTINCT("tier_id","certification_id","role"),
	CONSTRAINT "tier_certification_requirements_count_check" CHECK ("tier_certification_requirements"."required_count" between 1 and 10000)
);
--> statement-breakpoint
CREATE TABLE "learning_path_enrolments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"path_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" "learning_path_enrolment_status" DEFAULT 'assigned' NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone,
	"unassigned_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"last_reminded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "learning_path_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"path_id" uuid NOT NULL,
	"partner_types" "partner_type"[] DEFAULT '{}' NOT NULL,
	"tier_ids" uuid[] DEFAULT '{}' NOT NULL,
	"regions" text[] DEFAULT '{}' NOT NULL,
	"organisation_ids" uuid[] DEFAULT '{}' NOT NULL,
	"roles" "user_role"[] DEFAULT '{}' NOT NULL,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "learning_path_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"path_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" "learning_path_step_kind" NOT NULL,
	"course_id" uuid,
	"asset_id" uuid,
	"requires_previous" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "learning_path_steps_target_check" CHECK (("learning_path_steps"."kind" = 'course' and "learning_path_steps"."course_id" is not null and "learning_path_steps"."asset_id" is null) or ("learning_path_steps"."kind" = 'asset' and "learning_path_steps"."asset_id" is not null and "learning_path_steps"."course_id" is null))
);
--> statement-breakpoint
CREATE TABLE "learning_paths" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" "learning_path_status" DEFAULT 'draft' NOT NULL,
	"due_days" integer,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gamification_badges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"criterion" "gamification_badge_criterion" NOT NULL,
	"threshold" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gamification_badges_threshold_check" CHECK ("gamification_badges"."threshold" >= 1)
);
--> statement-breakpoint
CREATE TABLE "gamification_organisation_points" (
	"period_key" text NOT NULL,
	"organisation_id" uuid NOT NULL,
	"points" integer NOT NULL,
	CONSTRAINT "gamification_organisation_points_period_key_organisation_id_pk" PRIMARY KEY("period_key","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "gamification_point_rules" (
	"kind" "gamification_outcome_kind" PRIMARY KEY NOT NULL,
	"points" integer NOT NULL,
	"updated_by_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gamification_point_rules_points_check" CHECK ("gamification_point_rules"."points" >= 0 and "gamification_point_rules"."points" <= 100000)
);
--> statement-breakpoint
CREATE TABLE "gamification_points_ledger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"outcome_key" text NOT NULL,
	"kind" "gamification_outcome_kind" NOT NULL,
	"user_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"points" integer NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gamification_seasons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gamification_seasons_window_check" CHECK ("gamification_seasons"."ends_at" > "gamification_seasons"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "gamification_user_badges" (
	"user_id" uuid NOT NULL,
	"badge_id" uuid NOT NULL,
	"awarded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "gamification_user_badges_user_id_badge_id_pk" PRIMARY KEY("user_id","badge_id")
);
--> statement-breakpoint
CREATE TABLE "user_gamification_settings" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"hidden_from_boards" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gamification_user_points" (
	"period_key" text NOT NULL,
	"user_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"region" text,
	"partner_type" "partner_type",
	"tier_id" uuid,
	"points" integer NOT NULL,
	CONSTRAINT "gamification_user_points_period_key_user_id_pk" PRIMARY KEY("period_key","user_id")
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_certification_id_certifications_id_fk" FOREIGN KEY ("certification_id") REFERENCES "public"."certifications"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_revoked_by_id_users_id_fk" FOREIGN KEY ("revoked_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certification_requirements" ADD CONSTRAINT "certification_requirements_certification_id_certifications_id_fk" FOREIGN KEY ("certification_id") REFERENCES "public"."certifications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certification_requirements" ADD CONSTRAINT "certification_requirements_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_certification_requirements" ADD CONSTRAINT "tier_certification_requirements_tier_id_partner_tiers_id_fk" FOREIGN KEY ("tier_id") REFERENCES "public"."partner_tiers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tier_certification_requirements" ADD CONSTRAINT "tier_certification_requirements_certification_id_certifications_id_fk" FOREIGN KEY ("certification_id") REFERENCES "public"."certifications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_path_enrolments" ADD CONSTRAINT "learning_path_enrolments_path_id_learning_paths_id_fk" FOREIGN KEY ("path_id") REFERENCES "public"."learning_paths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_path_enrolments" ADD CONSTRAINT "learning_path_enrolments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_path_rules" ADD CONSTRAINT "learning_path_rules_path_id_learning_paths_id_fk" FOREIGN KEY ("path_id") REFERENCES "public"."learning_paths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_path_rules" ADD CONSTRAINT "learning_path_rules_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_path_steps" ADD CONSTRAINT "learning_path_steps_path_id_learning_paths_id_fk" FOREIGN KEY ("path_id") REFERENCES "public"."learning_paths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_path_steps" ADD CONSTRAINT "learning_path_steps_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_path_steps" ADD CONSTRAINT "learning_path_steps_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_paths" ADD CONSTRAINT "learning_paths_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_organisation_points" ADD CONSTRAINT "gamification_organisation_points_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_point_rules" ADD CONSTRAINT "gamification_point_rules_updated_by_id_users_id_fk" FOREIGN KEY ("updated_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_points_ledger" ADD CONSTRAINT "gamification_points_ledger_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_points_ledger" ADD CONSTRAINT "gamification_points_ledger_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_user_badges" ADD CONSTRAINT "gamification_user_badges_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_user_badges" ADD CONSTRAINT "gamification_user_badges_badge_id_gamification_badges_id_fk" FOREIGN KEY ("badge_id") REFERENCES "public"."gamification_badges"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_gamification_settings" ADD CONSTRAINT "user_gamification_settings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_user_points" ADD CONSTRAINT "gamification_user_points_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_user_points" ADD CONSTRAINT "gamification_user_points_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gamification_user_points" ADD CONSTRAINT "gamification_user_points_tier_id_partner_tiers_id_fk" FOREIGN KEY ("tier_id") REFERENCES "public"."partner_tiers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_earning_key" ON "certificates" USING btree ("certification_id","user_id","cycle");--> statement-breakpoint
CREATE INDEX "certificates_user_idx" ON "certificates" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "certificates_organisation_idx" ON "certificates" USING btree ("organisation_id","certification_id");--> statement-breakpoint
CREATE INDEX "certificates_expires_idx" ON "certificates" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "certification_requirements_course_idx" ON "certification_requirements" USING btree ("course_id");--> statement-breakpoint
CREATE INDEX "certification_requirements_certification_idx" ON "certification_requirements" USING btree ("certification_id");--> statement-breakpoint
CREATE UNIQUE INDEX "certifications_name_key" ON "certifications" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "learning_path_enrolments_path_user_key" ON "learning_path_enrolments" USING btree ("path_id","user_id");--> statement-breakpoint
CREATE INDEX "learning_path_enrolments_user_idx" ON "learning_path_enrolments" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "learning_path_enrolments_due_idx" ON "learning_path_enrolments" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "learning_path_rules_path_idx" ON "learning_path_rules" USING btree ("path_id");--> statement-breakpoint
CREATE INDEX "learning_path_steps_path_position_idx" ON "learning_path_steps" USING btree ("path_id","position");--> statement-breakpoint
CREATE INDEX "learning_paths_status_title_idx" ON "learning_paths" USING btree ("status","title");--> statement-breakpoint
CREATE UNIQUE INDEX "gamification_points_ledger_outcome_key" ON "gamification_points_ledger" USING btree ("outcome_key");--> statement-breakpoint
CREATE INDEX "gamification_points_ledger_user_kind_idx" ON "gamification_points_ledger" USING btree ("user_id","kind");--> statement-breakpoint
CREATE INDEX "gamification_points_ledger_occurred_idx" ON "gamification_points_ledger" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "gamification_seasons_window_idx" ON "gamification_seasons" USING btree ("starts_at","ends_at");--> statement-breakpoint
CREATE INDEX "gamification_user_points_board_idx" ON "gamification_user_points" USING btree ("period_key","points" DESC NULLS LAST,"user_id");--> statement-breakpoint
CREATE INDEX "gamification_user_points_region_idx" ON "gamification_user_points" USING btree ("period_key","region","points" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "gamification_user_points_type_idx" ON "gamification_user_points" USING btree ("period_key","partner_type","points" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "gamification_user_points_tier_idx" ON "gamification_user_points" USING btree ("period_key","tier_id","points" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "gamification_user_points_user_idx" ON "gamification_user_points" USING btree ("user_id");