import type { AppDeps } from '../../server/app-deps.js';
import { sequencingSettingsFromManifest, type SequencingSettings } from './sequencing-settings.js';
import * as sequencingRepository from './sequencing.repository.js';

/** What the host page gives scorm-again's sequencing engine for one SCORM 2004 attempt. */
export interface LaunchSequencing extends SequencingSettings {
  /** Activity (item) identifier → course_items id, to launch the activity the engine delivers. */
  itemIds: Record<string, string>;
  /** The engine's state saved by the previous session of this attempt, or null for a fresh start. */
  state: string | null;
}

type VersionSequencing = (SequencingSettings & { itemIds: Record<string, string> }) | null;

/**
 * SCORM 2004 sequencing for the player: the engine's settings built from the version's manifest (a version never
 * changes once imported, so they are built once per version and kept), and its state per attempt.
 */
export function createSequencingService(deps: Pick<AppDeps, 'database' | 'clock'>) {
  const { db } = deps.database;
  const byVersion = new Map<string, VersionSequencing>();

  async function versionSequencing(versionId: string): Promise<VersionSequencing> {
    if (byVersion.has(versionId)) return byVersion.get(versionId)!;
    const source = await sequencingRepository.findVersionSequencingSource(db, versionId);
    const settings = source?.standard === 'scorm2004' ? sequencingSettingsFromManifest(source.manifest) : null;
    const built = settings === null ? null : { ...settings, itemIds: Object.fromEntries(source!.items.map((item) => [item.identifier, item.id])) };
    if (byVersion.size >= 200) byVersion.clear();
    byVersion.set(versionId, built);
    return built;
  }

  return {
    /** null for SCORM 1.2 (no sequencing); the caller has checked the launch grant (attempt, user, version). */
    async launchSequencing(grant: { attemptId: string; versionId: string }): Promise<LaunchSequencing | null> {
      const settings = await versionSequencing(grant.versionId);
      if (settings === null) return null;
      return { ...settings, state: await sequencingRepository.findSequencingState(db, grant.attemptId) };
    },

    /** Keeps the engine's latest state for the attempt (ignored once the attempt is completed). */
    async saveState(grant: { attemptId: string }, state: string): Promise<boolean> {
      return sequencingRepository.saveSequencingState(db, grant.attemptId, state, deps.clock());
    },
  };
}

export type SequencingService = ReturnType<typeof createSequencingService>;
