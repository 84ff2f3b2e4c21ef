import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { and, eq } from 'drizzle-orm';
import { signedInClients, startTestApp, type TestApp } from '../helpers/test-app.js';
import { importPublishedPackage } from '../helpers/courses.js';
import { rasterise, textOfPage } from '../helpers/pdf-raster.js';
import { packageWithPage } from './search-package.js';
import { commitThroughPlayer } from './certifications-player.js';
import { findUserByEmail } from '../../server/users/users.repository.js';
import { listTiers } from '../../server/organisations/organisations.repository.js';
import { certificates, certifications } from '../../courses/certifications/certifications.table.js';
import { createCertificationEarning } from '../../courses/certifications/certification-earning.service.js';
import { createCertificationsService } from '../../courses/certifications/certifications.service.js';
import { CERTIFICATE_QR_BOX } from '../../courses/certifications/certificate-pdf.js';
import { layoutQr } from '../../assets/cobranding/cobrand-layout.js';

const DAY = 86_400_000;

let app: TestApp;
const db = () => app.deps.database.db;
let courseA: string;
let examCourse: string;
let courseC: string;
let fullCertification: string;
let lateCertification: string;

const as = signedInClients(() => app);
/** Moves the app's clock; signed-in clients are dropped (sessions expire by the app's clock). */
function advanceClock(ms: number) {
  app.advanceClock(ms);
  as.forgetAll();
}
const userId = async (email: string) => (await findUserByEmail(db(), email))!.id;

const commit = async (email: string, courseId: string, core: Record<string, unknown>, options: { newAttempt?: boolean } = {}) =>
  commitThroughPlayer(await as(email), courseId, core, options);
const pass = (email: string, courseId: string, options: { newAttempt?: boolean } = {}) => commit(email, courseId, { lesson_status: 'passed' }, options);
const takeExam = (email: string, score: number) => commit(email, examCourse, { lesson_status: 'completed', score: { raw: String(score), max: '100' } });

async function certificatesOf(email: string, certificationId: string) {
  return db()
    .select()
    .from(certificates)
    .where(and(eq(certificates.userId, await userId(email)), eq(certificates.certificationId, certificationId)))
    .orderBy(certificates.cycle);
}

/** Creates a certification through the enablement form; returns its id (from the redirect to its holders). */
async function createCertification(form: Record<string, string>, courseIds: string[]): Promise<string> {
  const manager = await as('enablement@vendor.test');
  const body = new URLSearchParams({ ...form, _csrf: /name="_csrf" value="([^"]+)"/.exec((await manager.get('/certifications/new')).text)![1]! });
  for (const id of courseIds) body.append('courseIds', id);
  const res = await manager.request('POST', '/certifications', { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(res.status).toBe(303);
  return /\/certifications\/([0-9a-f-]{36})\/holders/.exec(res.location!)![1]!;
}

/** An anonymous visitor of the verification page, from its own address (the app trusts X-Forwarded-For here). */
const verify = (publicId: string, address = '198.51.100.1') => fetch(`${app.baseUrl}/verify/${publicId}`, { headers: { 'x-forwarded-for': address, accept: 'text/html' } });

beforeAll(async () => {
  // Sessions that outlive the clock moves below (their cookie expiry is real time, the store compares it with the app's clock).
  app = await startTestApp({ TRUST_PROXY: 'true', SESSION_MAX_AGE_HOURS: String(24 * 500) });
  ({ courseId: courseA } = await importPublishedPackage(app, await packageWithPage('<p>Selling the platform</p>'), 'Certified seller foundations'));
  ({ courseId: examCourse } = await importPublishedPackage(app, await packageWithPage('<p>Exam</p>'), 'Certified seller exam'));
  ({ courseId: courseC } = await importPublishedPackage(app, await packageWithPage('<p>Pricing</p>'), 'Pricing deep dive'));
});
afterAll(async () => app?.stop());

describe('certifications', () => {
  it('the form refuses a certification without requirements, and an exam without a passing score', async () => {
    const manager = await as('enablement@vendor.test');
    await manager.get('/certifications/new');
    const empty = await manager.post('/certifications', { name: 'Nothing required', validityMonths: '12', recertWindowDays: '30' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('choose at least one course, learning path or exam');
    const noScore = await manager.post('/certifications', { name: 'Exam only', examCourseId: examCourse, passingScore: '', validityMonths: '12', recertWindowDays: '30' });
    expect(noScore.status).toBe(400);
    expect(noScore.text).toContain('Passing score is required');
    expect(await db().select().from(certifications)).toEqual([]);
  });

  it('completing the course and passing the exam at once issues exactly one certificate', async () => {
    fullCertification = await createCertification(
      { name: 'Certified Seller', examCourseId: examCourse, passingScore: '80', validityMonths: '12', recertWindowDays: '30' },
      [courseA],
    );
    // Two completions committed concurrently: each commit's hook evaluates the certification.
    await as('rep@acme.test');
    await Promise.all([pass('rep@acme.test', courseA), takeExam('rep@acme.test', 90)]);
    const issued = await certificatesOf('rep@acme.test', fullCertification);
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ cycle: 1, certificationName: 'Certified Seller', revokedAt: null });
    expect(issued[0]!.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(issued[0]!.requirements).toEqual([
      expect.objectContaining({ kind: 'course', courseId: courseA, title: 'Certified seller foundations' }),
      expect.objectContaining({ kind: 'exam', courseId: examCourse, passingScore: 80 }),
    ]);
    // Evaluating again (several at once) issues nothing more.
    const earning = createCertificationEarning(app.deps);
    const again = await Promise.all([1, 2, 3].map(() => earning.evaluate(issued[0]!.userId, null)));
    expect(again.flat()).toEqual([]);
    expect(await certificatesOf('rep@acme.test', fullCertification)).toHaveLength(1);
  });

  it('an exam score below the passing mark does not earn the certification', async () => {
    await pass('rep@globex.test', courseA);
    await takeExam('rep@globex.test', 60);
    expect(await certificatesOf('rep@globex.test', fullCertification)).toEqual([]);
    const page = await (await as('rep@globex.test')).get('/certifications');
    expect(page.status).toBe(200);
    expect(page.text).toContain('No certifications yet');
  });

  it('concurrent evaluations of an earning insert one certificate; My certifications catches up on certifications created later', async () => {
    await pass('marketer@acme.test', courseA);
    lateCertification = await createCertification({ name: 'Platform Basics', validityMonths: '2', recertWindowDays: '30' }, [courseA]);
    // Nobody holds it yet: the completions happened before it existed.
    expect(await certificatesOf('marketer@acme.test', lateCertification)).toEqual([]);
    const earning = createCertificationEarning(app.deps);
    const marketer = await userId('marketer@acme.test');
    const results = await Promise.all([1, 2, 3, 4].map(() => earning.evaluate(marketer, null)));
    expect(results.flat()).toHaveLength(1);
    expect(await certificatesOf('marketer@acme.test', lateCertification)).toHaveLength(1);

    for (const email of ['rep@acme.test', 'rep@globex.test']) {
      const page = await (await as(email)).get('/certifications');
      expect(page.text).toContain('Platform Basics');
      expect(await certificatesOf(email, lateCertification)).toHaveLength(1);
    }
    const riley = await (await as('rep@acme.test')).get('/certifications');
    expect(riley.text).toContain('Certified Seller');
    expect(riley.text).toContain(`${app.baseUrl}/verify/`);
  });

  it('the PDF carries the holder, organisation and certification as text, and a QR code of the verification URL', async () => {
    const [certificate] = await certificatesOf('rep@acme.test', fullCertification);
    const res = await fetch(`${app.baseUrl}/certifications/certificates/${certificate!.id}.pdf`, { headers: { cookie: `pa.sid=${(await as('rep@acme.test')).cookie('pa.sid')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain(`certified-seller-${certificate!.id}.pdf`);
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const text = await textOfPage(pdf, 1);
    for (const expected of ['Riley Nguyen', 'Acme Systems', 'Certified Seller', 'Northwind Software', certificate!.id]) expect(text).toContain(expected);

    // The modules pdf.js rasterises are the ones of a QR code for this certificate's verification URL.
    const scale = 2;
    const { pixels, width } = await rasterise(pdf, 1, scale);
    const luminance = (x: number, y: number) => {
      const i = (Math.floor(y * scale) * width + Math.floor(x * scale)) * 4;
      return (pixels[i]! + pixels[i + 1]! + pixels[i + 2]!) / 3;
    };
    const qr = layoutQr(`${app.baseUrl}/verify/${certificate!.id}`, CERTIFICATE_QR_BOX, 'center')!;
    const moduleSize = qr.darkRects[0]!.height;
    for (const rect of qr.darkRects) expect(luminance(rect.x + moduleSize / 2, rect.y + moduleSize / 2)).toBeLessThan(80);
    // The quiet zone (four modules wide) is white.
    expect(luminance(qr.square.x + moduleSize, qr.square.y + moduleSize)).toBeGreaterThan(200);
    expect(luminance(qr.square.x + qr.square.width - moduleSize, qr.square.y + qr.square.height - moduleSize)).toBeGreaterThan(200);
  });

  it('the PDF is for its holder, the vendor side and the partner admin of its organisation; others get 404', async () => {
    const [certificate] = await certificatesOf('rep@acme.test', fullCertification);
    const path = `/certifications/certificates/${certificate!.id}.pdf`;
    for (const email of ['rep@acme.test', 'admin@acme.test', 'enablement@vendor.test', 'admin@vendor.test']) expect([email, (await (await as(email)).get(path)).status]).toEqual([email, 200]);
    for (const email of ['rep@globex.test', 'admin@globex.test', 'marketer@acme.test']) expect([email, (await (await as(email)).get(path)).status]).toEqual([email, 404]);
    expect((await (await as('rep@acme.test')).get('/certifications/certificates/AAAAAAAAAAAAAAAAAAAAAA.pdf')).status).toBe(404);
  });

  it('the verification page shows the certificate and nothing more; unknown and malformed ids get the same 404', async () => {
    const [certificate] = await certificatesOf('rep@acme.test', fullCertification);
    const res = await verify(certificate!.id);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const expected of ['Valid', 'Riley Nguyen', 'Acme Systems', 'Certified Seller', '<dt>Issued by</dt><dd>Northwind Software</dd>', 'Certified by Northwind Software']) expect(html).toContain(expected);
    for (const hidden of ['rep@acme.test', 'Certified seller foundations', 'Sign out']) expect(html).not.toContain(hidden);

    const unknown = await verify('AAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await verify('bogus');
    expect([unknown.status, malformed.status]).toEqual([404, 404]);
    expect(await unknown.text()).toBe(await malformed.text());
  });

  it('revoking needs a reason; the verification page then says revoked without the reason', async () => {
    const [certificate] = await certificatesOf('marketer@acme.test', lateCertification);
    const manager = await as('enablement@vendor.test');
    await manager.get(`/certifications/${lateCertification}/holders`);
    const withoutReason = await manager.post(`/certifications/certificates/${certificate!.id}/revoke`, { reason: '  ' });
    expect(withoutReason.status).toBe(400);
    expect(await (await verify(certificate!.id)).text()).toContain('Valid');

    const revoked = await manager.post(`/certifications/certificates/${certificate!.id}/revoke`, { reason: 'Shared the exam answers' });
    expect(revoked.status).toBe(303);
    const page = await verify(certificate!.id);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Revoked');
    expect(html).not.toContain('Shared the exam answers');
    // The holders page keeps the reason for the enablement team.
    expect((await manager.get(`/certifications/${lateCertification}/holders`)).text).toContain('Shared the exam answers');
    expect((await manager.post(`/certifications/certificates/${certificate!.id}/revoke`, { reason: 'again' })).status).toBe(409);
  });

  it('the verification page is rate-limited per address', async () => {
    const address = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await verify(`probe${String(i).padStart(17, '0')}`, address)).status);
    expect(new Set(statuses)).toEqual(new Set([404]));
    const refused = await verify('AAAAAAAAAAAAAAAAAAAAAA', address);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await verify('AAAAAAAAAAAAAAAAAAAAAA', '203.0.113.78')).status).toBe(404);
  });

  it('editing the requirements keeps certificates already issued valid', async () => {
    const manager = await as('enablement@vendor.test');
    const edit = await manager.get(`/certifications/${fullCertification}/edit`);
    expect(edit.text).toContain('Certificates already issued keep the requirements they were earned under');
    const body = new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(edit.text)![1]!, name: 'Certified Seller', examCourseId: examCourse, passingScore: '90', validityMonths: '12', recertWindowDays: '30' });
    body.append('courseIds', courseA);
    body.append('courseIds', courseC);
    const saved = await manager.request('POST', `/certifications/${fullCertification}`, { body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(saved.status).toBe(303);

    const [row] = await db().select().from(certifications).where(eq(certifications.id, fullCertification));
    expect(row!.requirementsRevision).toBe(2);
    const [certificate] = await certificatesOf('rep@acme.test', fullCertification);
    expect(certificate).toMatchObject({ revokedAt: null, requirementsRevision: 1 });
    expect(certificate!.requirements).toHaveLength(2);
    expect(await (await verify(certificate!.id)).text()).toContain('Valid');
    // The new requirements apply to new earnings: passing the exam again is not enough for someone without course C.
    await pass('admin@acme.test', courseA);
    await commit('admin@acme.test', examCourse, { lesson_status: 'passed', score: { raw: '95' } });
    expect(await certificatesOf('admin@acme.test', fullCertification)).toEqual([]);
  });

  it('the organisation view counts certified people against the tier requirement, and lists who expires within 90 days', async () => {
    const gold = (await listTiers(db())).find((t) => t.key === 'gold')!;
    const manager = await as('enablement@vendor.test');
    await manager.get('/certifications/tier-requirements');
    const added = await manager.post('/certifications/tier-requirements', { tierId: gold.id, certificationId: fullCertification, role: 'partner_rep', requiredCount: '2' });
    expect(added.status).toBe(303);
    expect((await manager.post('/certifications/tier-requirements', { tierId: gold.id, certificationId: fullCertification, role: 'partner_rep', requiredCount: '3' })).status).toBe(409);

    const view = await (await as('admin@vendor.test')).get('/certifications/organisations');
    expect(view.status).toBe(200);
    const acme = view.text.slice(view.text.indexOf('Acme Systems'), view.text.indexOf('Globex Distribution'));
    expect(acme).toContain('1 of 2 (Partner rep)');
    expect(acme).toContain('Below tier requirements');
    // Expiring within 90 days: the two-month certificates of Riley (Acme) and Jonas (Globex); the revoked one is not listed.
    const expiring = view.text.slice(view.text.indexOf('expiring-heading'));
    expect(expiring).toContain('Riley Nguyen');
    expect(expiring).toContain('Jonas Weber');
    expect(expiring).not.toContain('Morgan Diaz');
  });

  it('a partner admin sees only their own organisation and its holders', async () => {
    const acme = (await (await as('admin@acme.test')).get('/certifications/organisations')).text;
    expect(acme).toContain('Acme Systems');
    expect(acme).toContain('Riley Nguyen');
    expect(acme).not.toContain('Globex Distribution');
    expect(acme).not.toContain('Jonas Weber');
    const globex = (await (await as('admin@globex.test')).get('/certifications/organisations')).text;
    expect(globex).toContain('Jonas Weber');
    expect(globex).not.toContain('Riley Nguyen');
    expect(globex).not.toContain('Acme Systems');
    expect((await (await as('rep@acme.test')).get('/certifications/organisations')).status).toBe(403);
  });

  it('a recertification window as long as the validity never renews on the completion that earned the certificate', async () => {
    const monthly = await createCertification({ name: 'Monthly Check', validityMonths: '1', recertWindowDays: '60' }, [courseC]);
    await pass('rep@globex.test', courseC);
    expect(await certificatesOf('rep@globex.test', monthly)).toHaveLength(1);
    const jonas = await userId('rep@globex.test');
    expect(await createCertificationEarning(app.deps).evaluate(jonas, null)).toEqual([]);
    await (await as('rep@globex.test')).get('/certifications');
    expect(await certificatesOf('rep@globex.test', monthly)).toHaveLength(1);
  });

  it('in the recertification window the holder is reminded once, and a new earning renews from the previous expiry', async () => {
    advanceClock(35 * DAY);
    const [first] = await certificatesOf('rep@acme.test', lateCertification);
    const page = await (await as('rep@acme.test')).get('/certifications');
    expect(page.text).toContain('Recertify by');

    const service = createCertificationsService(app.deps);
    // Riley, Jonas and Alex (who earned it completing the course in the edit test) hold valid two-month certificates; Morgan's is
    // revoked, and Jonas's one-month certificate has lapsed by now.
    expect(await service.sendRecertificationReminders()).toBe(3);
    expect(await app.mailTo('marketer@acme.test')).toEqual([]);
    expect(await service.sendRecertificationReminders()).toBe(0);
    const mail = await app.mailTo('rep@acme.test');
    expect(mail.at(-1)!.subject).toContain('Recertify by');
    expect(mail.at(-1)!.text).toContain('Platform Basics');

    await pass('rep@acme.test', courseA, { newAttempt: true });
    const renewed = await certificatesOf('rep@acme.test', lateCertification);
    expect(renewed.map((c) => c.cycle)).toEqual([1, 2]);
    expect(renewed[1]!.expiresAt.toISOString().slice(0, 10)).toBe(new Date(Date.UTC(first!.expiresAt.getUTCFullYear(), first!.expiresAt.getUTCMonth() + 2, first!.expiresAt.getUTCDate())).toISOString().slice(0, 10));
    // The completion renewed only the certification whose window was open.
    expect(await certificatesOf('rep@acme.test', fullCertification)).toHaveLength(1);
  });

  it('on expiry the certificate lapses: the verification page and My certifications say expired', async () => {
    const [certificate] = await certificatesOf('rep@acme.test', fullCertification);
    advanceClock(certificate!.expiresAt.getTime() - app.deps.clock().getTime() + DAY);
    const html = await (await verify(certificate!.id, '198.51.100.2')).text();
    expect(html).toContain('Expired');
    expect(html).not.toContain('This certificate is valid');
    const mine = (await (await as('rep@acme.test')).get('/certifications')).text;
    expect(mine).toContain('Expired on');
    const view = (await (await as('admin@acme.test')).get('/certifications/organisations')).text;
    expect(view).toContain('0 of 2 (Partner rep)');
  });
});
