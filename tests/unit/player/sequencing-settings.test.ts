import { describe, expect, it } from '@jest/globals';
import type Scorm2004ApiClass from 'scorm-again/scorm2004';
import * as scorm2004Module from 'scorm-again/scorm2004';
import { parseManifest } from '../../../courses/scorm/manifest.js';
import { sequencingSettingsFromManifest, type SequencingSettings } from '../../../courses/player/sequencing-settings.js';
import { sequencedManifest, type SequencedPackageOptions } from '../../helpers/sequenced-package.js';

// scorm-again's ESM build exports the class by name, while its type declarations only declare a default export.
const { Scorm2004API } = scorm2004Module as unknown as { Scorm2004API: typeof Scorm2004ApiClass };

function settingsFor(options: SequencedPackageOptions): SequencingSettings {
  const settings = sequencingSettingsFromManifest(parseManifest(sequencedManifest(options)));
  if (settings === null) throw new Error('no sequencing settings');
  return settings;
}

interface Validity {
  continue: boolean;
  previous: boolean;
  choice: Record<string, 'true' | 'false'>;
}

/** scorm-again's real Scorm2004API with our settings, recording what its engine delivers and allows. */
function engine(settings: SequencingSettings) {
  const delivered: string[] = [];
  let validity: Validity | null = null;
  const api = new Scorm2004API({
    logLevel: 5,
    onLogMessage: () => {},
    sequencing: {
      activityTree: settings.activityTree as never,
      collections: settings.collections as never,
      eventListeners: {
        onActivityDelivery: (activity: { id: string }) => void delivered.push(activity.id),
        onNavigationValidityUpdate: (update: unknown) => void (validity = update as Validity),
      },
    },
  });
  return { api, delivered, validity: () => validity! };
}

describe('SCORM 2004 sequencing settings for scorm-again', () => {
  it('reads control modes, rules, objectives and map info from the manifest', () => {
    const settings = settingsFor({ choice: false, flow: true, forwardOnly: true, gateThird: true });
    const tree = settings.activityTree;
    expect(tree.id).toBe('org');
    expect(tree.sequencingControls).toEqual({ choice: false, flow: true, forwardOnly: true });
    expect(tree.children!.map((c) => c.id)).toEqual(['item_1', 'item_2', 'item_3']);
    expect(tree.children![1]!.primaryObjective).toEqual({ objectiveID: 'p2', isPrimary: true, mapInfo: [{ targetObjectiveID: 'g2', writeSatisfiedStatus: true }] });
    expect(tree.children![2]!.sequencingRules).toEqual({
      preConditionRules: [
        {
          action: 'disabled',
          conditionCombination: 'any',
          conditions: [
            { condition: 'satisfied', operator: 'not', referencedObjective: 'obj2' },
            { condition: 'objectiveStatusKnown', operator: 'not', referencedObjective: 'obj2' },
          ],
        },
      ],
    });
    expect(tree.children![2]!.objectives).toEqual([{ objectiveID: 'obj2', mapInfo: [{ targetObjectiveID: 'g2', readSatisfiedStatus: true }] }]);
  });

  it('reads rollup rules (minimumPercent as scorm-again\'s 0–100), limit conditions, delivery controls and the sequencing collection', () => {
    const manifest = `<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
<metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
<organizations default="o"><organization identifier="o"><title>T</title>
<item identifier="a" identifierref="r"><title>A</title>
  <imsss:sequencing IDRef="shared">
    <imsss:limitConditions attemptLimit="2"/>
    <imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="0.5">
      <imsss:rollupRule childActivitySet="atLeastPercent" minimumPercent="0.75"><imsss:rollupConditions><imsss:rollupCondition condition="completed"/></imsss:rollupConditions><imsss:rollupAction action="completed"/></imsss:rollupRule>
    </imsss:rollupRules>
    <imsss:deliveryControls tracked="false" completionSetByContent="true"/>
    <adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" measureSatisfactionIfActive="false"/>
  </imsss:sequencing>
</item></organization></organizations>
<resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="a.html"><file href="a.html"/></resource></resources>
<imsss:sequencingCollection><imsss:sequencing ID="shared"><imsss:controlMode choice="false" flow="true"/></imsss:sequencing></imsss:sequencingCollection>
</manifest>`;
    const settings = sequencingSettingsFromManifest(parseManifest(manifest))!;
    const item = settings.activityTree.children![0]!;
    expect(item.sequencingCollectionRefs).toBe('shared');
    expect(item.attemptLimit).toBe(2);
    expect(item.sequencingControls).toEqual({ rollupObjectiveSatisfied: false, objectiveMeasureWeight: 0.5 });
    expect(item.rollupRules!.rules).toEqual([{ action: 'completed', consideration: 'atLeastPercent', minimumPercent: 75, conditionCombination: 'any', conditions: [{ condition: 'completed' }] }]);
    expect(item.deliveryControls).toEqual({ tracked: false, completionSetByContent: true });
    expect(item.rollupConsiderations).toEqual({ requiredForSatisfied: 'ifAttempted', measureSatisfactionIfActive: false });
    expect(settings.collections).toEqual({ shared: { sequencingControls: { choice: false, flow: true } } });
  });

  it('SCORM 1.2 and manifests without an organization tree give no sequencing', () => {
    expect(sequencingSettingsFromManifest(null)).toBeNull();
    expect(sequencingSettingsFromManifest({ organization: null })).toBeNull();
  });

  it("scorm-again's engine honours them: forward only, no choice, and a lesson disabled until another is passed", () => {
    const { api, delivered, validity } = engine(settingsFor({ choice: false, flow: true, forwardOnly: true, gateThird: true }));
    expect(api.processNavigationRequest('start')).toBe(true);
    expect(delivered).toEqual(['item_1']);
    expect(validity().continue).toBe(true);
    expect(validity().previous).toBe(false);
    expect(validity().choice['item_2']).toBe('false');

    api.Initialize('');
    api.SetValue('cmi.completion_status', 'completed');
    api.SetValue('adl.nav.request', 'continue');
    api.Terminate('');
    expect(delivered).toEqual(['item_1', 'item_2']);
    expect(validity().previous).toBe(false); // forwardOnly

    api.reset(undefined, { preserveListeners: true });
    api.Initialize('');
    api.SetValue('cmi.success_status', 'passed');
    api.SetValue('cmi.completion_status', 'completed');
    api.SetValue('adl.nav.request', 'continue');
    api.Terminate('');
    expect(delivered).toEqual(['item_1', 'item_2', 'item_3']);
  });

  it('with choice allowed, a gated lesson cannot be chosen until its condition holds; the saved state restores the current lesson', () => {
    const { api, delivered, validity } = engine(settingsFor({ choice: true, flow: true, gateThird: true }));
    expect(api.processNavigationRequest('start')).toBe(true);
    expect(validity().choice['item_2']).toBe('true');
    expect(validity().choice['item_3']).toBe('false');
    expect(api.processNavigationRequest('choice', 'item_2')).toBe(true);
    expect(delivered).toEqual(['item_1', 'item_2']);
    api.Initialize('');
    api.SetValue('cmi.success_status', 'passed');
    api.SetValue('cmi.completion_status', 'completed');
    api.Terminate('');
    // Lesson 2 passed wrote the global objective that lesson 3's precondition reads.
    expect(validity().choice['item_3']).toBe('true');
    const state = api.serializeSequencingState();

    const restored = engine(settingsFor({ choice: true, flow: true, gateThird: true }));
    expect(restored.api.deserializeSequencingState(state)).toBe(true);
    expect(restored.api.getSequencingState().currentActivity?.id).toBe('item_2');
  });
});
