import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { AppDeps } from '../server/app-deps.js';
import type { Actor } from '../server/tenancy/actor.js';
import { findUser, findUserByEmail } from '../server/users/users.repository.js';
import { listTiers } from '../server/organisations/organisations.repository.js';
import { createScormImportService } from './scorm/scorm-import.service.js';
import { createCourseManagementService } from './scorm/course-management.service.js';
import { createCatalogueService } from './catalogue/catalogue.service.js';
import { createTrackingService } from './tracking/tracking.service.js';
import { createPlayerService } from './player/player.service.js';
import { createPathsService } from './paths/paths.service.js';
import { createCertificationsService } from './certifications/certifications.service.js';
import { createGamificationService } from './gamification/gamification.service.js';
import { createLibraryService } from '../assets/library/library.service.js';
import { DEMO_COURSES, ESSENTIALS, EXAM, REFRESHER, SELLING, buildCoursePackage, type DemoCourse } from './demo-programme-packages.js';

/** The library asset the onboarding path asks learners to read (added by assets/library/demo-library.ts). */
export const ONBOARDING_ASSET_TITLE = 'Northwind Firewall brochure';
export const ONBOARDING_PATH_TITLE = 'Reseller onboarding';
export const REFRESHER_PATH_TITLE = 'Annual seller refresher';
export const CERTIFICATION_NAME = 'Northwind Certified Seller';

export interface DemoProgrammeSummary {
  courseIds: Record<'essentials' | 'selling' | 'exam' | 'refresher', string>;
  onboardingPathId: string;
  refresherPathId: string;
  certificationId: string;
  /** Commits stored through the tracking service, by all demo learners together. */
  commits: number;
  ms: number;
}

/** One learner's session of a course: the CMI core they leave it with (what their browser would have committed). */
type Session = Record<string, unknown>;

const lessonDone = (pages: number, minutes: number): Session => ({ lesson_status: 'completed', lesson_location: String(pages - 1), exit: '', session_time: `0000:${String(minutes).padStart(2, '0')}:00.00` });
const lessonStopped = (page: number, minutes: number): Session => ({ lesson_status: 'incomplete', lesson_location: String(page), exit: 'suspend', session_time: `0000:${String(minutes).padStart(2, '0')}:00.00` });
const examTaken = (score: number, minutes: number): Session => ({
  lesson_status: score >= 80 ? 'passed' : 'failed',
  lesson_location: '1',
  score: { raw: String(score), min: '0', max: '100' },
  exit: '',
  session_time: `0000:${String(minutes).padStart(2, '0')}:00.00`,
});

/** A cover: the course's colour with soft shapes (no text: text in SVG depends on the machine's fonts). */
async function coverPng(accent: string, variant: number): Promise<Buffer> {
  const shapes = [
    '<circle cx="980" cy="140" r="220" fill="#fff" fill-opacity="0.12"/><circle cx="1120" cy="520" r="160" fill="#fff" fill-opacity="0.1"/>',
    '<rect x="760" y="80" width="420" height="420" rx="80" transform="rotate(18 970 290)" fill="#fff" fill-opacity="0.12"/><circle cx="220" cy="600" r="180" fill="#fff" fill-opacity="0.08"/>',
    '<path d="M820 620 L1100 120 L1280 620 Z" fill="#fff" fill-opacity="0.12"/><circle cx="900" cy="220" r="90" fill="#fff" fill-opacity="0.16"/>',
    '<circle cx="1000" cy="360" r="260" fill="none" stroke="#fff" stroke-opacity="0.18" stroke-width="40"/><circle cx="1000" cy="360" r="120" fill="#fff" fill-opacity="0.12"/>',
  ][variant % 4];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${accent}"/><stop offset="1" stop-color="#12163a"/></linearGradient></defs><rect width="1280" height="720" fill="url(#g)"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * A living partner programme for a first start, made entirely through the app's services: four SCORM 1.2 courses
 * generated in code (imported and published), the "Reseller onboarding" path assigned by rule to resellers and
 * distributors, a recertification path, the "Northwind Certified Seller" certification with Gold and Platinum tier
 * requirements, a season and badges, then demo partner people who play the courses: their commits go through the
 * player and tracking services, so certificates, points, badges and path completions come from the app's own hooks.
 * Returns null (and does nothing) without the demo accounts, or when the demo courses already exist.
 */
export async function seedDemoProgramme(deps: AppDeps): Promise<DemoProgrammeSummary | null> {
  const started = Date.now();
  const { db } = deps.database;

  async function actorOf(email: string): Promise<Actor | null> {
    const user = await findUserByEmail(db, email);
    const full = user ? await findUser(db, { kind: 'all' }, user.id) : null;
    if (!full || full.status !== 'active') return null;
    return { userId: full.id, organisationId: full.organisationId, organisationKind: full.organisationKind, organisationName: full.organisationName, role: full.role, name: full.name, email: full.email };
  }

  const manager = await actorOf('enablement@vendor.test');
  if (!manager) return null;
  const management = createCourseManagementService(deps);
  if ((await management.listCourses()).some((c) => c.title === ESSENTIALS.title)) return null;

  const importer = createScormImportService(deps);
  const catalogue = createCatalogueService(deps);
  const tracking = createTrackingService(deps);
  const player = createPlayerService(deps, catalogue, tracking);
  const paths = createPathsService(deps);
  const certifications = createCertificationsService(deps);
  const gamification = createGamificationService(deps);
  const library = createLibraryService(deps);

  // ---- Courses: imported like an upload, then published with their details and a cover ----
  const dir = await mkdtemp(path.join(tmpdir(), 'pa-demo-programme-'));
  const courseIds = new Map<DemoCourse, string>();
  try {
    for (const [i, course] of DEMO_COURSES.entries()) {
      const zipPath = path.join(dir, `${course.slug}.zip`);
      await writeFile(zipPath, await buildCoursePackage(course));
      const imported = await importer.createCourseFromPackage(manager, { title: course.title, description: course.description }, { path: zipPath, originalName: `${course.slug}.zip` });
      await catalogue.updateSettings(manager, imported.courseId, {
        title: course.title,
        description: course.description,
        durationMinutes: course.durationMinutes,
        tags: course.tags,
        language: 'en',
        status: 'published',
        // The exam may be retaken after a fail (a new attempt); the lessons can be reviewed.
        allowNewAttemptAfterCompletion: course === EXAM || course === REFRESHER,
        visiblePartnerTypes: [],
        visibleTierIds: [],
        visibleRegions: [],
      });
      const coverPath = path.join(dir, `${course.slug}.png`);
      await writeFile(coverPath, await coverPng(course.accent, i));
      await catalogue.setCover(manager, imported.courseId, { path: coverPath });
      courseIds.set(course, imported.courseId);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const id = (course: DemoCourse) => courseIds.get(course)!;

  // ---- Learning paths ----
  const onboarding = await paths.createPath(manager, {
    title: ONBOARDING_PATH_TITLE,
    description: 'Start here: the Northwind platform, how to sell it to mid-market customers, and the Firewall brochure your customers will ask for. Then take the certified seller exam.',
    status: 'draft',
    dueDays: 30,
  });
  const asset = (await paths.getEditor(manager, onboarding.id)).candidates.assets.find((a) => a.title === ONBOARDING_ASSET_TITLE);
  await paths.addStep(manager, onboarding.id, { target: { kind: 'course', id: id(ESSENTIALS) }, requiresPrevious: false });
  await paths.addStep(manager, onboarding.id, { target: { kind: 'course', id: id(SELLING) }, requiresPrevious: true });
  if (asset) await paths.addStep(manager, onboarding.id, { target: { kind: 'asset', id: asset.id }, requiresPrevious: false });
  await paths.updatePath(manager, onboarding.id, { title: onboarding.title, description: onboarding.description, status: 'published', dueDays: 30 });
  await paths.addRule(manager, onboarding.id, { partnerTypes: ['reseller', 'distributor'], tierIds: [], regions: [], organisationIds: [], roles: [] });

  const refresher = await paths.createPath(manager, {
    title: REFRESHER_PATH_TITLE,
    description: 'The yearly refresher that renews the Northwind Certified Seller certification. It is assigned to holders when their recertification window opens.',
    status: 'draft',
    dueDays: null,
  });
  await paths.addStep(manager, refresher.id, { target: { kind: 'course', id: id(REFRESHER) }, requiresPrevious: false });
  await paths.updatePath(manager, refresher.id, { title: refresher.title, description: refresher.description, status: 'published', dueDays: null });

  // ---- Certification and what partner tiers require of it ----
  const certification = await certifications.create(manager, {
    name: CERTIFICATION_NAME,
    description: 'For partner sellers: the Reseller onboarding path and the certified seller exam (80% to pass). Valid for twelve months; renew with the Annual seller refresher.',
    courseIds: [],
    pathIds: [onboarding.id],
    examCourseId: id(EXAM),
    passingScore: 80,
    validityMonths: 12,
    recertWindowDays: 60,
    recertPathId: refresher.id,
  });
  const tiers = new Map((await listTiers(db)).map((t) => [t.key, t.id]));
  for (const [tier, requiredCount] of [
    ['gold', 1],
    ['platinum', 2],
  ] as const) {
    const tierId = tiers.get(tier);
    if (tierId) await certifications.addTierRequirement(manager, { tierId, certificationId: certification.id, role: null, requiredCount });
  }

  // ---- Gamification: this quarter's season and badges (awarded by the hooks as people earn them) ----
  const now = deps.clock();
  const quarter = Math.floor(now.getUTCMonth() / 3);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  await gamification.createSeason({
    name: `Q${quarter + 1} ${now.getUTCFullYear()} seller challenge`,
    startsOn: day(new Date(Date.UTC(now.getUTCFullYear(), quarter * 3, 1))),
    endsOn: day(new Date(Date.UTC(now.getUTCFullYear(), quarter * 3 + 3, 0))),
  });
  await gamification.createBadge({ name: 'First steps', description: 'Completed a first course.', criterion: 'course_completed', threshold: 1 });
  await gamification.createBadge({ name: 'Pathfinder', description: 'Finished a learning path.', criterion: 'path_completed', threshold: 1 });
  await gamification.createBadge({ name: 'Certified seller', description: 'Earned a certification.', criterion: 'certification_earned', threshold: 1 });
  await gamification.createBadge({ name: 'High flyer', description: '1,000 points or more.', criterion: 'points', threshold: 1000 });

  // ---- Activity: demo partner people read, play and pass, as their browsers would have committed it ----
  let commits = 0;
  /** Opens the course in the player (enrolment, attempt), then stores one commit per session through the tracking service. */
  async function play(actor: Actor, course: DemoCourse, sessions: readonly Session[], options: { newAttempt?: boolean } = {}) {
    const opened = await player.open(actor, id(course), { startNewAttempt: options.newAttempt ?? false });
    for (const core of sessions) {
      const launch = await tracking.launchData({ attemptId: opened.summary.attempt.id, userId: actor.userId, itemId: opened.current.id });
      await tracking.commit({ attemptId: launch.attemptId, userId: actor.userId, itemIdentifier: launch.item.identifier, sequence: launch.sequenceBase + 1, cmi: { core }, isFinal: true });
      commits++;
    }
  }
  async function read(actor: Actor) {
    if (asset) await library.getAssetPage(actor, asset.id);
  }
  /** A download as the library's route makes it (recorded and counted); the file itself is not needed. */
  async function download(actor: Actor) {
    if (!asset) return;
    const { stored } = await library.openDownload(actor, asset.id);
    stored.body.destroy();
  }
  const lessons = (course: DemoCourse) => course.pages.length;

  const people = new Map<string, Actor>();
  for (const email of ['admin@acme.test', 'rep@acme.test', 'marketer@acme.test', 'admin@globex.test', 'rep@globex.test', 'marketer@globex.test', 'admin@initech.test', 'rep@initech.test']) {
    const actor = await actorOf(email);
    if (actor) people.set(email, actor);
  }
  const as = async (email: string, steps: (actor: Actor) => Promise<void>) => {
    const actor = people.get(email);
    if (actor) await steps(actor);
  };

  // Globex's rep: the whole path, fails the exam once, passes on a second attempt: certified.
  await as('rep@globex.test', async (a) => {
    await read(a);
    await play(a, ESSENTIALS, [lessonStopped(2, 6), lessonDone(lessons(ESSENTIALS), 5)]);
    await play(a, SELLING, [lessonDone(lessons(SELLING), 14)]);
    await play(a, EXAM, [examTaken(60, 7)]);
    await play(a, EXAM, [examTaken(100, 6)], { newAttempt: true });
  });
  // Acme's admin: the whole path and the exam at the first try: certified (Acme meets its Gold requirement).
  await as('admin@acme.test', async (a) => {
    await read(a);
    await play(a, ESSENTIALS, [lessonDone(lessons(ESSENTIALS), 9)]);
    await play(a, SELLING, [lessonDone(lessons(SELLING), 16)]);
    await play(a, EXAM, [examTaken(80, 8)]);
  });
  // Globex's admin: the path done, the exam failed: Globex (Platinum, two needed) has one certified person.
  await as('admin@globex.test', async (a) => {
    await read(a);
    await download(a);
    await play(a, ESSENTIALS, [lessonDone(lessons(ESSENTIALS), 11)]);
    await play(a, SELLING, [lessonDone(lessons(SELLING), 18)]);
    await play(a, EXAM, [examTaken(40, 9)]);
  });
  // Acme's rep, the account a newcomer tries first: the first lesson done and the second one half way.
  await as('rep@acme.test', async (a) => {
    await play(a, ESSENTIALS, [lessonDone(lessons(ESSENTIALS), 10)]);
    await play(a, SELLING, [lessonStopped(1, 6)]);
  });
  // Others, outside the path or at its start.
  await as('marketer@globex.test', async (a) => play(a, ESSENTIALS, [lessonDone(lessons(ESSENTIALS), 8)]));
  await as('marketer@acme.test', async (a) => {
    await read(a);
    await download(a);
  });
  await as('rep@initech.test', async (a) => {
    await read(a);
    await download(a);
    await play(a, ESSENTIALS, [lessonDone(lessons(ESSENTIALS), 7)]);
    await play(a, REFRESHER, [lessonDone(lessons(REFRESHER), 4)]);
  });
  await as('admin@initech.test', async (a) => play(a, ESSENTIALS, [lessonStopped(3, 5)]));

  const summary: DemoProgrammeSummary = {
    courseIds: { essentials: id(ESSENTIALS), selling: id(SELLING), exam: id(EXAM), refresher: id(REFRESHER) },
    onboardingPathId: onboarding.id,
    refresherPathId: refresher.id,
    certificationId: certification.id,
    commits,
    ms: Date.now() - started,
  };
  deps.logger.info({ courses: DEMO_COURSES.length, commits, ms: summary.ms }, 'demo programme added');
  return summary;
}
