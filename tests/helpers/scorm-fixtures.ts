import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../server/paths.js';

/** The real SCORM packages shared with the project (never edited, never copied into the repo). */
export function scormFixturesDir(): string {
  return process.env.SCORM_FIXTURES_DIR ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'fixtures', 'scorm');
}

/** Absolute path of one fixture, e.g. scormFixture('singlescobasic.zip'). */
export function scormFixture(name: string): string {
  const dir = scormFixturesDir();
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    throw new Error(
      `SCORM fixture "${name}" not found at ${file}. The fixtures live in shared/fixtures/scorm beside the project; set SCORM_FIXTURES_DIR to read them from elsewhere.`,
    );
  }
  return file;
}
