// Every Drizzle table, gathered for drizzle-kit and for the typed query API. Modules own their *.table.ts.
export * from '../organisations/organisations.table.js';
export * from '../users/users.table.js';
export * from '../auth/auth.table.js';
export * from '../../courses/catalogue/courses.table.js';
export * from '../../courses/scorm/scorm.table.js';
export * from '../../courses/tracking/tracking.table.js';
export * from '../../courses/player/sequencing.table.js';
export * from '../../courses/certifications/certifications.table.js';
export * from '../../courses/paths/paths.table.js';
export * from '../../courses/gamification/gamification.table.js';
export * from '../../assets/library/library.table.js';
export * from '../../assets/cobranding/cobranding.table.js';
export * from '../../assets/analytics/usage.table.js';
export * from '../../search/sync/outbox.table.js';
export * from '../../search/engines/postgres-index.table.js';
