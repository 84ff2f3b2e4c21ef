-- The embedded search engine corrects typos by trigram similarity against its word dictionary (pg_trgm).
-- Hand-written: drizzle-kit cannot express an operator class index or an extension.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "search_words_trgm_idx" ON "search_words" USING gin ("word" gin_trgm_ops);
