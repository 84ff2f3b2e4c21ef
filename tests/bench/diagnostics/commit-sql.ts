/**
 * Diagnostic, not part of the bench: the database side of a CMI commit without HTTP, from node-postgres on a scratch
 * database with the app's schema (its migrations), 200 attempts, 2-8 KB suspend_data. Prints commits/s and the CPU
 * per commit of this process and of PostgreSQL, for:
 *  - before: the commit as it was until November 2026 (a grant check, then begin, 8 statements and commit: 11 round
 *    trips, full rows back), in plain SQL;
 *  - the app's commit statements (courses/tracking/tracking.repository.ts commitStatements, through Drizzle, prepared):
 *    read + write (a learner's first commit in this process), and the write alone (the next ones), each without and
 *    with the launch grant check that the content server makes before every LMS request;
 *  - one statement and group commit: plain-SQL sketches of what is left (the one-statement form skips the roll-up
 *    over several SCOs and does not tell a stale commit from a duplicate; group commit writes 10 learners' commits in
 *    one statement).
 *
 *   tsx tests/bench/diagnostics/commit-sql.ts [seconds=8] [concurrency=10]
 *
 * BENCH_POSTGRES_URL as for the bench; the scratch database is dropped at the end.
 */
import { randomBytes, createHash } from 'node:crypto';
import pg from 'pg';
import { createDatabase } from '../../../server/db/database.js';
import { seedDemoData } from '../../../server/db/seed.js';
import { generateBenchData } from '../generate-data.js';
import { commitStatements } from '../../../courses/tracking/tracking.repository.js';
import { postgresBackendPids, processCpuMs } from '../lib/processes.js';

const [seconds = '8', concurrency = '10'] = process.argv.slice(2);
const admin = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const name = `pa_diag_${randomBytes(4).toString('hex')}`;
const adminClient = new pg.Client({ connectionString: admin });
await adminClient.connect();
await adminClient.query(`create database ${name}`);
const scratch = new URL(admin);
scratch.pathname = `/${name}`;
const url = scratch.toString();
try {
  const database = await createDatabase({ kind: 'postgres', url, poolMax: Number(concurrency) });
  await database.migrate();
  await seedDemoData(database.db, { password: 'diag-password-123' });
  await generateBenchData(database.db, { organisations: 20, users: 210 });

  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  const course = (await setup.query(`insert into courses (title, status) values ('diag', 'published') returning id`)).rows[0].id;
  const version = (
    await setup.query(
      `insert into course_versions (course_id, version_number, standard, storage_prefix, original_filename, file_count, total_bytes, manifest) values ($1, 1, 'scorm12', 'courses/x/', 'x.zip', 1, 1, '{}') returning id`,
      [course],
    )
  ).rows[0].id;
  const item = (
    await setup.query(`insert into course_items (version_id, identifier, position, depth, title, scorm_type, launch_href) values ($1, 'item_1', 0, 0, 'SCO', 'sco', 'index.html') returning id`, [version])
  ).rows[0].id as string;
  const attempts = (
    await setup.query(
      `insert into attempts (course_id, version_id, user_id, organisation_id, attempt_number)
       select $1, $2, id, organisation_id, 1 from users where status = 'active' and email like 'bench-user-%' order by email limit 200 returning id, user_id`,
      [course, version],
    )
  ).rows as { id: string; user_id: string }[];
  await setup.end();

  const suspend = Array.from({ length: 64 }, (_, i) => randomBytes(Math.ceil(((2048 + i * 96) * 3) / 4)).toString('base64').slice(0, 2048 + i * 96));
  const cmi = (k: number) => ({
    core: { student_id: '', student_name: '', lesson_location: `page-${k % 40}`, credit: 'credit', lesson_status: 'incomplete', entry: 'resume', score: { raw: String(k % 101), min: '0', max: '100' }, total_time: '', lesson_mode: 'normal', exit: 'suspend', session_time: '0000:00:10.00' },
    suspend_data: suspend[k % suspend.length],
    launch_data: '', comments: '', comments_from_lms: '', objectives: {}, student_data: {}, student_preference: {}, interactions: {},
  });

  const pool = new pg.Pool({ connectionString: url, max: Number(concurrency) });
  // Connections closed while the scratch database is dropped must not crash the process before the drop finishes.
  pool.on('error', () => {});
  const sequences = new Map(attempts.map((a) => [a.id, 1_000_000]));

  // As the app did before: grant check, then begin, 8 statements, commit; full rows back (the cmi three times).
  async function before(a: { id: string; user_id: string }, seq: number, body: object) {
    const c = await pool.connect();
    try {
      await c.query(`select a.id, a.version_id, a.user_id, a.course_id, v.storage_prefix from attempts a join course_versions v on v.id = a.version_id join users u on u.id = a.user_id where a.id = $1 and a.user_id = $2 and a.version_id = $3 and u.status = 'active' limit 1`, [a.id, a.user_id, version]);
      await c.query('begin');
      await c.query(`select a.*, v.standard, v.version_number, u.name from attempts a join course_versions v on v.id = a.version_id join users u on u.id = a.user_id where a.id = $1 and a.user_id = $2 limit 1 for update of a`, [a.id, a.user_id]);
      const itemRow = (await c.query(`select * from course_items where version_id = $1 and identifier = $2 limit 1`, [version, 'item_1'])).rows[0];
      await c.query(`select * from attempts where user_id = $1 and course_id = $2 order by attempt_number desc limit 1`, [a.user_id, course]);
      await c.query(`select * from sco_states where attempt_id = $1 and item_id = $2 limit 1`, [a.id, itemRow.id]);
      const json = JSON.stringify(body);
      await c.query(
        `insert into sco_states (attempt_id, item_id, cmi, commit_sequence, commit_digest, completion_status, success_status, score_raw, score_min, score_max, total_time_seconds, session_time_seconds, location, interaction_count, first_accessed_at, last_accessed_at)
         values ($1, $2, $3, $4, $5, 'incomplete', 'unknown', 50, 0, 100, 10, 10, 'page', 0, now(), now())
         on conflict (attempt_id, item_id) do update set cmi = excluded.cmi, commit_sequence = excluded.commit_sequence, commit_digest = excluded.commit_digest, score_raw = excluded.score_raw,
           total_time_seconds = excluded.total_time_seconds, session_time_seconds = excluded.session_time_seconds, location = excluded.location, last_accessed_at = excluded.last_accessed_at
         where sco_states.commit_sequence < excluded.commit_sequence returning *`,
        [a.id, itemRow.id, json, seq, createHash('sha256').update(json).digest('hex')],
      );
      await c.query(`select * from course_items where version_id = $1 order by position`, [version]);
      await c.query(`select * from sco_states where attempt_id = $1`, [a.id]);
      await c.query(`update attempts set completion_status = 'incomplete', total_time_seconds = 10, last_accessed_at = now() where id = $1 returning *`, [a.id]);
      await c.query('commit');
    } finally {
      c.release();
    }
  }

  // The app's statements. rowVersions holds what the last write returned, as the service remembers it.
  const statements = commitStatements(database.db);
  const rowVersions = new Map<string, string>();
  async function grantCheck(a: { id: string; user_id: string }) {
    await pool.query(
      `select a.id, a.version_id, a.user_id, a.course_id, v.storage_prefix from attempts a join course_versions v on v.id = a.version_id join users u on u.id = a.user_id where a.id = $1 and a.user_id = $2 and a.version_id = $3 and u.status = 'active' limit 1`,
      [a.id, a.user_id, version],
    );
  }
  async function appWrite(a: { id: string; user_id: string }, seq: number, body: object, rowVersion: string) {
    const json = JSON.stringify(body);
    const written = await statements.writeIfAttemptUnchanged({
      attemptId: a.id,
      userId: a.user_id,
      rowVersion,
      state: {
        itemId: item,
        cmiJson: json,
        commitSequence: seq,
        commitDigest: createHash('sha256').update(json).digest('hex'),
        completionStatus: 'incomplete',
        successStatus: 'unknown',
        scoreRaw: 50,
        scoreMin: 0,
        scoreMax: 100,
        scoreScaled: 0.5,
        totalTimeSeconds: 10,
        sessionTimeSeconds: 10,
        location: 'page',
        interactionCount: 0,
      },
      rollup: { completionStatus: 'incomplete', successStatus: 'unknown', scoreScaled: 0.5, totalTimeSeconds: 10 },
      now: new Date(),
    });
    if (written === null) throw new Error(`commit of attempt ${a.id} not written`);
    rowVersions.set(a.id, written);
  }
  async function readAndWrite(a: { id: string; user_id: string }, seq: number, body: object) {
    const context = await statements.findContext(a.id, a.user_id);
    await appWrite(a, seq, body, context!.rowVersion);
  }
  async function writeOnly(a: { id: string; user_id: string }, seq: number, body: object) {
    const remembered = rowVersions.get(a.id) ?? (await statements.findContext(a.id, a.user_id))!.rowVersion;
    await appWrite(a, seq, body, remembered);
  }

  // One round trip: grant check, lock, sequence guard, upsert and roll-up in one statement; nothing big comes back.
  async function oneStatement(a: { id: string; user_id: string }, seq: number, body: object) {
    const json = JSON.stringify(body);
    await pool.query(
      `with a as (select a.id, a.version_id from attempts a join users u on u.id = a.user_id
                   where a.id = $1 and a.user_id = $2 and a.version_id = $3 and u.status = 'active' for update of a),
            i as (select ci.id from course_items ci join a on ci.version_id = a.version_id where ci.identifier = 'item_1'),
            up as (insert into sco_states (attempt_id, item_id, cmi, commit_sequence, commit_digest, completion_status, success_status, score_raw, score_min, score_max, total_time_seconds, session_time_seconds, location, interaction_count, first_accessed_at, last_accessed_at)
                   select a.id, i.id, $4::jsonb, $5, $6, 'incomplete', 'unknown', 50, 0, 100, 10, 10, 'page', 0, now(), now() from a, i
                   on conflict (attempt_id, item_id) do update set cmi = excluded.cmi, commit_sequence = excluded.commit_sequence, commit_digest = excluded.commit_digest, score_raw = excluded.score_raw,
                     total_time_seconds = excluded.total_time_seconds, session_time_seconds = excluded.session_time_seconds, location = excluded.location, last_accessed_at = excluded.last_accessed_at
                   where sco_states.commit_sequence < excluded.commit_sequence returning attempt_id, commit_sequence)
       update attempts set completion_status = 'incomplete', total_time_seconds = 10, last_accessed_at = now() from up where attempts.id = up.attempt_id returning up.commit_sequence`,
      [a.id, a.user_id, version, json, seq, createHash('sha256').update(json).digest('hex')],
    );
  }

  // Group commit: BATCH learners' commits (distinct learners) in one statement, as an app-side queue that flushes every
  // millisecond or so would send them.
  const BATCH = 10;
  async function batched(list: { a: { id: string; user_id: string }; seq: number; body: object }[]) {
    const input = list.map(({ a, seq, body }) => {
      const json = JSON.stringify(body);
      return { attempt_id: a.id, user_id: a.user_id, seq, digest: createHash('sha256').update(json).digest('hex'), cmi: body };
    });
    await pool.query(
      `with input as (select * from jsonb_to_recordset($1::jsonb) as x(attempt_id uuid, user_id uuid, seq bigint, digest text, cmi jsonb)),
            a as (select a.id, input.seq, input.digest, input.cmi from attempts a join input on input.attempt_id = a.id and input.user_id = a.user_id
                   join users u on u.id = a.user_id where a.version_id = $2 and u.status = 'active' order by a.id for update of a),
            i as (select id from course_items where version_id = $2 and identifier = 'item_1'),
            up as (insert into sco_states (attempt_id, item_id, cmi, commit_sequence, commit_digest, completion_status, success_status, score_raw, score_min, score_max, total_time_seconds, session_time_seconds, location, interaction_count, first_accessed_at, last_accessed_at)
                   select a.id, i.id, a.cmi, a.seq, a.digest, 'incomplete', 'unknown', 50, 0, 100, 10, 10, 'page', 0, now(), now() from a, i
                   on conflict (attempt_id, item_id) do update set cmi = excluded.cmi, commit_sequence = excluded.commit_sequence, commit_digest = excluded.commit_digest, score_raw = excluded.score_raw,
                     total_time_seconds = excluded.total_time_seconds, session_time_seconds = excluded.session_time_seconds, location = excluded.location, last_accessed_at = excluded.last_accessed_at
                   where sco_states.commit_sequence < excluded.commit_sequence returning attempt_id, commit_sequence)
       update attempts set completion_status = 'incomplete', total_time_seconds = 10, last_accessed_at = now() from up where attempts.id = up.attempt_id returning up.attempt_id`,
      [JSON.stringify(input), version],
    );
  }

  for (const [label, fn] of [
    ['before (11 round trips, full rows back)', before],
    ['app: grant check, read and write (3 round trips)', async (a: { id: string; user_id: string }, seq: number, body: object) => {
      await grantCheck(a);
      await readAndWrite(a, seq, body);
    }],
    ['app: grant check and write, attempt remembered (2 round trips)', async (a: { id: string; user_id: string }, seq: number, body: object) => {
      await grantCheck(a);
      await writeOnly(a, seq, body);
    }],
    ['app: read and write (2 round trips)', readAndWrite],
    ['app: write, attempt remembered (1 round trip)', writeOnly],
    ['one statement (1 round trip)', oneStatement],
    [`group commit (${BATCH} learners per statement)`, null],
  ] as const) {
    // warm up
    const run = async (ms: number) => {
      let done = 0;
      let cursor = 0;
      const until = performance.now() + ms;
      await Promise.all(
        Array.from({ length: Number(concurrency) }, async (_, w) => {
          // each worker owns its learners: no two commits of one learner in flight
          const mine = attempts.filter((_, i) => i % Number(concurrency) === w);
          while (performance.now() < until) {
            if (fn === null) {
              const list = Array.from({ length: Math.min(BATCH, mine.length) }, () => {
                const a = mine[cursor++ % mine.length]!;
                const seq = sequences.get(a.id)! + 1;
                sequences.set(a.id, seq);
                return { a, seq, body: cmi(seq) };
              });
              await batched(list);
              done += list.length;
              continue;
            }
            const a = mine[cursor++ % mine.length]!;
            const seq = sequences.get(a.id)! + 1;
            sequences.set(a.id, seq);
            await fn(a, seq, cmi(seq));
            done++;
          }
        }),
      );
      return done;
    };
    await run(2000);
    const pids = postgresBackendPids(name);
    const pgBefore = pids.map((p) => processCpuMs(p) ?? 0);
    const self = process.cpuUsage();
    const t = performance.now();
    const done = await run(Number(seconds) * 1000);
    const elapsed = performance.now() - t;
    const selfMs = (process.cpuUsage(self).user + process.cpuUsage(self).system) / 1000;
    const pgMs = pids.reduce((sum, p, i) => sum + ((processCpuMs(p) ?? 0) - pgBefore[i]!), 0);
    console.log(`${label}: ${(done / (elapsed / 1000)).toFixed(0)} commits/s; client (node-postgres) CPU ${(selfMs / done).toFixed(2)} ms/commit; PostgreSQL CPU ${(pgMs / done).toFixed(2)} ms/commit`);
  }
  await pool.end();
  await database.close();
} finally {
  await adminClient.query(`drop database if exists ${name} with (force)`);
  await adminClient.end();
}
